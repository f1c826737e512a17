CREATE TABLE `artifacts` (
	`run_id` text NOT NULL,
	`kind` text NOT NULL,
	`format` text NOT NULL,
	`epoch` integer NOT NULL,
	`attempt` integer NOT NULL,
	`metric_name` text NOT NULL,
	`metric_value` real NOT NULL,
	`val_acc` real NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`run_id`, `kind`, `format`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `artifacts_sha256_idx` ON `artifacts` (`sha256`);