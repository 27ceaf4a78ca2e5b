PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_epoch_metrics` (
	`run_id` integer NOT NULL,
	`epoch` integer NOT NULL,
	`loss` real NOT NULL,
	`accuracy` real,
	`val_loss` real,
	`val_accuracy` real,
	`seconds` real NOT NULL,
	`logged_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`run_id`, `epoch`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_epoch_metrics`("run_id", "epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds", "logged_at") SELECT "run_id", "epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds", "logged_at" FROM `epoch_metrics`;--> statement-breakpoint
DROP TABLE `epoch_metrics`;--> statement-breakpoint
ALTER TABLE `__new_epoch_metrics` RENAME TO `epoch_metrics`;--> statement-breakpoint
PRAGMA foreign_keys=ON;