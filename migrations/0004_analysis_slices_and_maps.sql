CREATE TABLE `embedding_maps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer,
	`source` text NOT NULL,
	`split` text NOT NULL,
	`count` integer NOT NULL,
	`seed` integer NOT NULL,
	`coordinates` blob NOT NULL,
	`seconds` real NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `embedding_maps_run_idx` ON `embedding_maps` (`run_id`,`source`,`split`);--> statement-breakpoint
CREATE TABLE `run_slice_metrics` (
	`run_id` integer NOT NULL,
	`slice` text NOT NULL,
	`count` integer NOT NULL,
	`errors` integer NOT NULL,
	`predicted_counts` text NOT NULL,
	PRIMARY KEY(`run_id`, `slice`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
