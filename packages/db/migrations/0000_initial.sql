CREATE TABLE `epoch_metrics` (
	`run_id` text NOT NULL,
	`epoch` integer NOT NULL,
	`attempt` integer NOT NULL,
	`train_loss` real NOT NULL,
	`train_acc` real NOT NULL,
	`val_loss` real NOT NULL,
	`val_acc` real NOT NULL,
	`epoch_seconds` real NOT NULL,
	`images_per_second` real NOT NULL,
	`recorded_at` text NOT NULL,
	PRIMARY KEY(`run_id`, `epoch`),
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`sweep_id` text,
	`model` text NOT NULL,
	`dataset` text NOT NULL,
	`lr` real NOT NULL,
	`epochs` integer NOT NULL,
	`batch_size` integer NOT NULL,
	`seed` integer NOT NULL,
	`momentum` real NOT NULL,
	`train_subset` integer,
	`val_subset` integer,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempt` integer DEFAULT 0 NOT NULL,
	`worker` text,
	`backend` text,
	`tfjs_version` text,
	`device` text,
	`error` text,
	`queued_at` text NOT NULL,
	`started_at` text,
	`finished_at` text,
	FOREIGN KEY (`sweep_id`) REFERENCES `sweeps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `runs_sweep_id_idx` ON `runs` (`sweep_id`);--> statement-breakpoint
CREATE INDEX `runs_model_dataset_idx` ON `runs` (`model`,`dataset`);--> statement-breakpoint
CREATE TABLE `sweeps` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`method` text NOT NULL,
	`config` text NOT NULL,
	`metric_name` text,
	`metric_goal` text,
	`created_at` text NOT NULL
);
