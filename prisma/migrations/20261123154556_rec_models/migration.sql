-- CreateTable
CREATE TABLE "rec_models" (
    "id" SERIAL NOT NULL,
    "trained_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "users" INTEGER NOT NULL,
    "items" INTEGER NOT NULL,
    "positives" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "rec_models_pkey" PRIMARY KEY ("id")
);
