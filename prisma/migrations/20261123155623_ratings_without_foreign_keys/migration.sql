-- DropForeignKey
ALTER TABLE "ratings" DROP CONSTRAINT "ratings_item_id_fkey";

-- DropForeignKey
ALTER TABLE "ratings" DROP CONSTRAINT "ratings_user_id_fkey";
