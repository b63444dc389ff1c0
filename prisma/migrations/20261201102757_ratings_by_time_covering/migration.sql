-- DropIndex
DROP INDEX "ratings_user_id_rated_at_idx";

-- CreateIndex
CREATE INDEX "ratings_user_id_rated_at_item_id_rating_idx" ON "ratings"("user_id", "rated_at", "item_id", "rating");
