-- The new index is built first and the old one dropped last: the build blocks writes to ratings (not reads), and the
-- drop's exclusive lock is held only for the commit (on 26M ratings the build took 20 s).

-- CreateIndex
CREATE INDEX "ratings_user_id_rated_at_item_id_rating_idx" ON "ratings"("user_id", "rated_at", "item_id", "rating");

-- DropIndex
DROP INDEX "ratings_user_id_rated_at_idx";
