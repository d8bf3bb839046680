ALTER TABLE "residents" ADD COLUMN "discreet" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "neutral" boolean DEFAULT false NOT NULL;