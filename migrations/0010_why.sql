CREATE TABLE `robustness_results` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`transforms` text NOT NULL,
	`count` integer NOT NULL,
	`seconds` real NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `run_calibrations` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`temperature` real NOT NULL,
	`validation_count` integer NOT NULL,
	`validation_nll` real NOT NULL,
	`calibrated_nll` real NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `train_embeddings` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`dimensions` integer NOT NULL,
	`vectors` blob NOT NULL,
	`seconds` real NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
