ALTER TABLE `runs` ADD `resumed_from_epoch` integer;--> statement-breakpoint
CREATE INDEX `runs_status_queued_at_idx` ON `runs` (`status`,`queued_at`);