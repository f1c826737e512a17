CREATE TABLE `run_metrics` (
	`run_id` text NOT NULL,
	`key` text NOT NULL,
	`step` integer NOT NULL,
	`attempt` integer NOT NULL,
	`value` real NOT NULL,
	`recorded_at` text NOT NULL,
	PRIMARY KEY(`run_id`, `key`, `step`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `runs` ADD `program` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `program_params` text;