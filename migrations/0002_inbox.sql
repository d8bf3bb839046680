CREATE TYPE "public"."staff_role" AS ENUM('trust_person', 'coordinator');--> statement-breakpoint
CREATE TYPE "public"."trajectory" AS ENUM('light', 'heavy');--> statement-breakpoint
CREATE TYPE "public"."tussen_in_phase" AS ENUM('trust', 'motivate', 'refer', 'aftercare');--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" text NOT NULL,
	"actor_name" text NOT NULL,
	"action" text NOT NULL,
	"outcome" text NOT NULL,
	"resident_id" uuid,
	"handoff_id" uuid,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "handoff_notes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"handoff_id" uuid NOT NULL,
	"author_id" text NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "handoff_referrals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"handoff_id" uuid NOT NULL,
	"agency" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"role" "staff_role" NOT NULL,
	"languages" jsonb NOT NULL,
	"gender" text,
	"ui_locale" text DEFAULT 'nl' NOT NULL,
	"password_hash" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"staff_id" uuid NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"staff_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"label" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "assigned_to" text;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "phase" "tussen_in_phase" DEFAULT 'trust' NOT NULL;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "trajectory" "trajectory";--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "closed_by" text;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "notified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "handoffs" ADD COLUMN "notified_urgent" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "handoff_notes" ADD CONSTRAINT "handoff_notes_handoff_id_handoffs_id_fk" FOREIGN KEY ("handoff_id") REFERENCES "public"."handoffs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handoff_referrals" ADD CONSTRAINT "handoff_referrals_handoff_id_handoffs_id_fk" FOREIGN KEY ("handoff_id") REFERENCES "public"."handoffs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_sessions" ADD CONSTRAINT "staff_sessions_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_tokens" ADD CONSTRAINT "staff_tokens_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_at" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_handoff_id" ON "audit_log" USING btree ("handoff_id");--> statement-breakpoint
CREATE INDEX "handoff_notes_handoff_id" ON "handoff_notes" USING btree ("handoff_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "handoff_referrals_handoff_agency" ON "handoff_referrals" USING btree ("handoff_id","agency");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_email" ON "staff" USING btree ("email");--> statement-breakpoint
CREATE INDEX "staff_sessions_staff_id" ON "staff_sessions" USING btree ("staff_id");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_tokens_hash" ON "staff_tokens" USING btree ("token_hash");