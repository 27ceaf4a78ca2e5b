CREATE TABLE `own_digits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`label` integer NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`image` blob NOT NULL,
	`input` blob NOT NULL
);
