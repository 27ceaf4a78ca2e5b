PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_label_decisions` (
	`dataset` text DEFAULT 'mnist' NOT NULL,
	`split` text NOT NULL,
	`image_index` integer NOT NULL,
	`verdict` text NOT NULL,
	`corrected_label` integer,
	`decided_at` integer NOT NULL,
	PRIMARY KEY(`dataset`, `split`, `image_index`)
);
--> statement-breakpoint
INSERT INTO `__new_label_decisions`("dataset", "split", "image_index", "verdict", "corrected_label", "decided_at") SELECT "dataset", "split", "image_index", "verdict", "corrected_label", "decided_at" FROM `label_decisions`;--> statement-breakpoint
DROP TABLE `label_decisions`;--> statement-breakpoint
ALTER TABLE `__new_label_decisions` RENAME TO `label_decisions`;--> statement-breakpoint
PRAGMA foreign_keys=ON;