-- AlterTable: when a person last cleared their rating of an item, so a rating stamped earlier cannot bring it back.
ALTER TABLE "feedback" ADD COLUMN "rating_cleared_at" TIMESTAMPTZ(3);
