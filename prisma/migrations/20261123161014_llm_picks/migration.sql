-- CreateTable
CREATE TABLE "llm_picks" (
    "user_id" INTEGER NOT NULL,
    "item_id" INTEGER NOT NULL,
    "rank" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "run_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "llm_picks_pkey" PRIMARY KEY ("user_id","item_id")
);

-- CreateTable
CREATE TABLE "llm_user_runs" (
    "user_id" INTEGER NOT NULL,
    "run_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "matched" INTEGER NOT NULL DEFAULT 0,
    "unmatched" INTEGER NOT NULL DEFAULT 0,
    "dropped_seen" INTEGER NOT NULL DEFAULT 0,
    "tokens" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "llm_user_runs_pkey" PRIMARY KEY ("user_id","run_id")
);

-- CreateIndex
CREATE INDEX "llm_picks_run_id_idx" ON "llm_picks"("run_id");

-- CreateIndex
CREATE INDEX "llm_user_runs_user_id_created_at_idx" ON "llm_user_runs"("user_id", "created_at" DESC);
