CREATE TABLE `held_out_predictions` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`indices` blob NOT NULL,
	`probabilities` blob NOT NULL,
	`dimensions` integer NOT NULL,
	`embeddings` blob NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `label_audits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`created_at` integer NOT NULL,
	`folds` integer NOT NULL,
	`result` text,
	`finished_at` integer
);
--> statement-breakpoint
CREATE TABLE `label_decisions` (
	`split` text NOT NULL,
	`image_index` integer NOT NULL,
	`verdict` text NOT NULL,
	`corrected_label` integer,
	`decided_at` integer NOT NULL,
	PRIMARY KEY(`split`, `image_index`)
);
--> statement-breakpoint
ALTER TABLE `runs` ADD `label_audit_id` integer REFERENCES label_audits(id);--> statement-breakpoint
CREATE INDEX `runs_label_audit_idx` ON `runs` (`label_audit_id`);