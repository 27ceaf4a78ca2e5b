CREATE TABLE `sweeps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`axes` text NOT NULL,
	`seeds` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `runs` ADD `sweep_id` integer REFERENCES sweeps(id);--> statement-breakpoint
CREATE INDEX `runs_sweep_idx` ON `runs` (`sweep_id`);