ALTER TABLE `early_stops` ADD `rule` text DEFAULT 'hyperband' NOT NULL;--> statement-breakpoint
ALTER TABLE `early_stops` ADD `bracket` integer;--> statement-breakpoint
ALTER TABLE `early_stops` ADD `compared_run_ids` text;