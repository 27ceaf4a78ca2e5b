CREATE TABLE `epoch_scalars` (
	`run_id` integer NOT NULL,
	`epoch` integer NOT NULL,
	`name` text NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`run_id`, `epoch`, `name`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `runs` ADD `owner_token_id` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `lease_ms` integer;