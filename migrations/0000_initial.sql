CREATE TABLE `confusion_matrices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`split` text NOT NULL,
	`epoch` integer NOT NULL,
	`counts` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `confusion_run_split_epoch` ON `confusion_matrices` (`run_id`,`split`,`epoch`);--> statement-breakpoint
CREATE TABLE `epoch_metrics` (
	`run_id` integer NOT NULL,
	`epoch` integer NOT NULL,
	`loss` real NOT NULL,
	`accuracy` real NOT NULL,
	`val_loss` real,
	`val_accuracy` real,
	`seconds` real NOT NULL,
	`logged_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`run_id`, `epoch`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `model_weights` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`topology` text NOT NULL,
	`weight_specs` text NOT NULL,
	`weight_data` blob NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `run_tags` (
	`run_id` integer NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	PRIMARY KEY(`run_id`, `key`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`params` text NOT NULL,
	`seed` integer NOT NULL,
	`backend` text,
	`dataset_hashes` text,
	`git_commit` text,
	`package_versions` text,
	`error` text,
	`note` text DEFAULT '' NOT NULL,
	`test_accuracy` real,
	`test_loss` real,
	`train_samples_per_second` real,
	`progress` text,
	`pid` integer,
	`host` text
);
--> statement-breakpoint
CREATE INDEX `runs_status_idx` ON `runs` (`status`);--> statement-breakpoint
CREATE INDEX `runs_created_idx` ON `runs` (`created_at`);--> statement-breakpoint
CREATE TABLE `test_predictions` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`predicted` blob NOT NULL,
	`probabilities` blob NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
