CREATE TABLE "language_jobs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"message_id" bigint NOT NULL,
	"resident_id" uuid NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"due_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "media" ADD COLUMN "transcript" text;--> statement-breakpoint
ALTER TABLE "media" ADD COLUMN "transcript_locale" text;--> statement-breakpoint
ALTER TABLE "media" ADD COLUMN "transcript_status" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "translation" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "translation_locale" text;--> statement-breakpoint
ALTER TABLE "language_jobs" ADD CONSTRAINT "language_jobs_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "language_jobs" ADD CONSTRAINT "language_jobs_resident_id_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."residents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "language_jobs_one_per_message" ON "language_jobs" USING btree ("message_id","kind");--> statement-breakpoint
CREATE INDEX "language_jobs_due" ON "language_jobs" USING btree ("due_at");