CREATE TABLE `run_attempts` (
	`run_id` integer NOT NULL,
	`attempt` integer NOT NULL,
	`host` text,
	`worker` text,
	`slurm_job_id` text,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`outcome` text,
	`error` text,
	PRIMARY KEY(`run_id`, `attempt`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `upload_chunks` (
	`run_id` integer NOT NULL,
	`attempt` integer NOT NULL,
	`artifact` text NOT NULL,
	`chunk` integer NOT NULL,
	`sha256` text NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`run_id`, `attempt`, `artifact`, `chunk`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `worker_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`sha256` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`run_id` integer,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `worker_tokens_name_unique` ON `worker_tokens` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `worker_tokens_sha256_unique` ON `worker_tokens` (`sha256`);--> statement-breakpoint
ALTER TABLE `runs` ADD `lease_expires_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `cancel_requested` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `slurm_job_id` text;