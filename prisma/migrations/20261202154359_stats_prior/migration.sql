-- CreateTable
CREATE TABLE "stats_prior" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "global_mean" DOUBLE PRECISION NOT NULL,
    "min_votes" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stats_prior_pkey" PRIMARY KEY ("id")
);

-- A database whose statistics were computed before this table existed: the prior those scores were made with, as
-- item_stats holds it (every film's count and mean), so single ratings score films again from now on.
INSERT INTO "stats_prior" ("id", "global_mean", "min_votes")
SELECT 1,
       sum("ratings_count" * "mean_rating") / sum("ratings_count"),
       GREATEST(1, round(percentile_cont(0.6) WITHIN GROUP (ORDER BY "ratings_count") FILTER (WHERE "ratings_count" > 0)))::int
FROM "item_stats"
HAVING sum("ratings_count") > 0;
