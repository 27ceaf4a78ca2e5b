CREATE TABLE `imported_models` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`framework` text NOT NULL,
	`file_name` text NOT NULL,
	`file_sha256` text NOT NULL,
	`input_shape` text,
	`input_layout` text,
	`input_scale` text,
	`output` text NOT NULL,
	`embedding` text,
	`embedding_absence` text,
	`model_json` text,
	`model_data` blob,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
