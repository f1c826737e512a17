ALTER TABLE `epoch_metrics` ADD `epoch_lr` real;--> statement-breakpoint
ALTER TABLE `runs` ADD `optimizer` text DEFAULT 'sgd' NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `nesterov` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `weight_decay` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `lr_schedule` text DEFAULT 'constant' NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `lr_step_epochs` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `lr_gamma` real DEFAULT 0.1 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `warmup_epochs` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `depth` integer DEFAULT 1 NOT NULL;