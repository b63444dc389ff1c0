-- The version of each user's rating history, raised by every single rating write in its own transaction, so that a
-- cache miss reads the history and the version it belongs to in one statement. A constant default: no table rewrite.
ALTER TABLE "users" ADD COLUMN "ratings_version" BIGINT NOT NULL DEFAULT 0;
