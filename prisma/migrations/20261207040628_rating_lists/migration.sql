-- Each user's ratings as one value in the old /rates answer's order (lib/ratings/lists.ts), read by a cache miss of
-- /rates instead of aggregating the user's ratings; valid while "version" equals users.ratings_version.
-- CreateTable
CREATE TABLE "rating_lists" (
    "user_id" INTEGER NOT NULL,
    "version" BIGINT NOT NULL,
    "packed" BYTEA NOT NULL,

    CONSTRAINT "rating_lists_pkey" PRIMARY KEY ("user_id")
);
