ALTER TABLE "handoffs" ADD COLUMN "aftercare_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "aftercare_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "aftercare_answer" text;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "aftercare_answered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "aftercare_skipped" text;--> statement-breakpoint
CREATE INDEX "handoffs_aftercare_due" ON "handoffs" USING btree ("aftercare_at") WHERE "handoffs"."aftercare_at" is not null and "handoffs"."aftercare_sent_at" is null;