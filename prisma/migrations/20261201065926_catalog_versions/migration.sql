-- CreateTable
CREATE TABLE "catalog_versions" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "external_ids" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "catalog_versions_pkey" PRIMARY KEY ("id")
);

-- The catalog's version row, raised by statement triggers on external_ids when a statement changed rows (one update
-- per statement that did, none for statements that changed nothing).
INSERT INTO "catalog_versions" ("id", "external_ids") VALUES (1, 0);

CREATE FUNCTION catalog_external_ids_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM changed) THEN
    UPDATE catalog_versions SET external_ids = external_ids + 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER external_ids_inserted AFTER INSERT ON "external_ids" REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_external_ids_changed();
CREATE TRIGGER external_ids_updated AFTER UPDATE ON "external_ids" REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_external_ids_changed();
CREATE TRIGGER external_ids_deleted AFTER DELETE ON "external_ids" REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_external_ids_changed();
