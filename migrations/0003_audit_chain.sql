ALTER TABLE "audit_log" ADD COLUMN "on_behalf_of" text;--> statement-breakpoint
-- Entries from before the chain: the shared STAFF_API_TOKEN acted for the integration, everyone else for themselves.
UPDATE "audit_log" SET "on_behalf_of" = CASE WHEN "actor_id" = 'api' THEN 'integration' ELSE "actor_id" END;--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "on_behalf_of" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "via" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "prev_hash" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "hash" text;--> statement-breakpoint
CREATE INDEX "audit_log_resident_id" ON "audit_log" USING btree ("resident_id");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_prev_hash" ON "audit_log" USING btree ("prev_hash");
