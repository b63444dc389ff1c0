-- CreateTable
CREATE TABLE "catalog_versions" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "external_ids" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "catalog_versions_pkey" PRIMARY KEY ("id")
);

-- The catalog's version row, and a statement trigger raising it on every change to external_ids (rare, and one
-- update per statement, not per row).
INSERT INTO "catalog_versions" ("id", "external_ids") VALUES (1, 0);

CREATE FUNCTION catalog_external_ids_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE catalog_versions SET external_ids = external_ids + 1 WHERE id = 1;
  RETURN NULL;
END $$;

CREATE TRIGGER external_ids_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "external_ids"
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_external_ids_changed();
