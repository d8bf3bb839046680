CREATE TYPE "public"."consent_decision" AS ENUM('agreed', 'declined', 'withdrawn');--> statement-breakpoint
CREATE TABLE "consents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"resident_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"decision" "consent_decision" NOT NULL,
	"locale" text NOT NULL,
	"text_version" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "erasure_counts" (
	"month" text NOT NULL,
	"channel" text NOT NULL,
	"reason" text NOT NULL,
	"residents" integer DEFAULT 0 NOT NULL,
	"conversations" integer DEFAULT 0 NOT NULL,
	"handoffs" integer DEFAULT 0 NOT NULL,
	"urgent_handoffs" integer DEFAULT 0 NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "erasure_counts_month_channel_reason_pk" PRIMARY KEY("month","channel","reason")
);
--> statement-breakpoint
CREATE TABLE "scheduled_jobs" (
	"name" text PRIMARY KEY NOT NULL,
	"next_run_at" timestamp with time zone NOT NULL,
	"holder" text,
	"lease_until" timestamp with time zone,
	"last_started_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_result" jsonb
);
--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "erasure_pending_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_resident_id_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."residents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consents_resident_id" ON "consents" USING btree ("resident_id","id");--> statement-breakpoint
CREATE INDEX "consents_conversation_id" ON "consents" USING btree ("conversation_id","id");--> statement-breakpoint
CREATE INDEX "residents_erasure_pending" ON "residents" USING btree ("erasure_pending_since") WHERE "residents"."erasure_pending_since" is not null;--> statement-breakpoint
-- Consent given before consents were recorded: one `agreed` row per intake that holds it, with the language of its conversation and an unknown text version.
INSERT INTO "consents" ("resident_id", "conversation_id", "decision", "locale", "text_version", "at")
SELECT i."resident_id", i."conversation_id", 'agreed', coalesce(c."snapshot"->'context'->>'locale', 'nl'), 'unversioned', i."updated_at"
FROM "intakes" i JOIN "conversations" c ON c."id" = i."conversation_id"
WHERE i."consent" = true;
