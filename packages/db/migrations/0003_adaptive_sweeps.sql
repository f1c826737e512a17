CREATE TABLE `early_stops` (
	`run_id` text PRIMARY KEY NOT NULL,
	`sweep_id` text NOT NULL,
	`band` integer NOT NULL,
	`epoch` integer NOT NULL,
	`value` real NOT NULL,
	`threshold` real NOT NULL,
	`committed_at` text NOT NULL,
	`told_at` text,
	`latency_ms` real,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sweep_id`) REFERENCES `sweeps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `early_stops_sweep_id_idx` ON `early_stops` (`sweep_id`);--> statement-breakpoint
CREATE TABLE `sweep_searches` (
	`sweep_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`runs_proposed` integer DEFAULT 0 NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`sweep_id`) REFERENCES `sweeps`(`id`) ON UPDATE no action ON DELETE cascade
);
