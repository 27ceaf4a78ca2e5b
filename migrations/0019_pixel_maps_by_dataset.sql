DROP INDEX `embedding_maps_run_idx`;--> statement-breakpoint
ALTER TABLE `embedding_maps` ADD `dataset` text DEFAULT 'mnist' NOT NULL;--> statement-breakpoint
CREATE INDEX `embedding_maps_key_idx` ON `embedding_maps` (`run_id`,`source`,`split`,`dataset`);