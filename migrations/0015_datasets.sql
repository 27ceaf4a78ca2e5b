CREATE TABLE `dataset_pixels` (
	`dataset_id` integer NOT NULL,
	`split` text NOT NULL,
	`images` blob NOT NULL,
	`labels` blob NOT NULL,
	PRIMARY KEY(`dataset_id`, `split`),
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `datasets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`path` text NOT NULL,
	`class_names` text NOT NULL,
	`class_counts` text NOT NULL,
	`files` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `datasets_name_unique` ON `datasets` (`name`);