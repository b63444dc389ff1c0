-- CreateEnum
CREATE TYPE "ExperimentKind" AS ENUM ('offline', 'ab');

-- CreateTable
CREATE TABLE "experiments" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ExperimentKind" NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "config" JSONB NOT NULL,
    "job_id" UUID,
    "owner_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stopped_at" TIMESTAMPTZ(3),

    CONSTRAINT "experiments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ab_events" (
    "id" BIGSERIAL NOT NULL,
    "experiment_id" UUID NOT NULL,
    "variant" TEXT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "item_id" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ab_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "experiments_kind_status_idx" ON "experiments"("kind", "status");

-- CreateIndex
CREATE INDEX "ab_events_experiment_id_variant_type_idx" ON "ab_events"("experiment_id", "variant", "type");

-- CreateIndex
CREATE INDEX "ab_events_experiment_id_user_id_item_id_idx" ON "ab_events"("experiment_id", "user_id", "item_id");

-- AddForeignKey
ALTER TABLE "ab_events" ADD CONSTRAINT "ab_events_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "experiments"("id") ON DELETE CASCADE ON UPDATE CASCADE;
