CREATE TABLE `test_embeddings` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`dimensions` integer NOT NULL,
	`vectors` blob NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
