-- CreateTable
CREATE TABLE "plays" (
    "id" BIGSERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "item_id" INTEGER NOT NULL,
    "played_at" TIMESTAMPTZ(3) NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'lastfm',

    CONSTRAINT "plays_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lastfm_accounts" (
    "user_id" INTEGER NOT NULL,
    "username" TEXT NOT NULL,
    "imported_to" TIMESTAMPTZ(3),
    "connected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lastfm_accounts_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE INDEX "plays_user_id_played_at_idx" ON "plays"("user_id", "played_at" DESC);

-- CreateIndex
CREATE INDEX "plays_item_id_idx" ON "plays"("item_id");

-- CreateIndex
CREATE UNIQUE INDEX "plays_user_id_item_id_played_at_key" ON "plays"("user_id", "item_id", "played_at");
