-- CreateTable
CREATE TABLE "rating_lists" (
    "user_id" INTEGER NOT NULL,
    "item_ids" INTEGER[],
    "ratings" REAL[],
    "rated_at_ms" BIGINT[],

    CONSTRAINT "rating_lists_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "catalog_versions" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "external_ids" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "catalog_versions_pkey" PRIMARY KEY ("id")
);

-- Lists are read whole and rewritten whole: stored out of line without compression (nothing to decompress on a read).
ALTER TABLE "rating_lists" ALTER COLUMN "item_ids" SET STORAGE EXTERNAL, ALTER COLUMN "ratings" SET STORAGE EXTERNAL,
  ALTER COLUMN "rated_at_ms" SET STORAGE EXTERNAL;

-- The catalog's version row, and a statement trigger raising it on every change to external_ids.
INSERT INTO "catalog_versions" ("id", "external_ids") VALUES (1, 0);

CREATE FUNCTION catalog_external_ids_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE catalog_versions SET external_ids = external_ids + 1 WHERE id = 1;
  RETURN NULL;
END $$;

CREATE TRIGGER external_ids_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "external_ids"
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_external_ids_changed();

-- A list without the items in `dropped`, then with the `added` entries at its end (an item is in a list once).
CREATE FUNCTION rating_list_apply(
  items integer[], ratings real[], rated_ms bigint[], dropped integer[], added_items integer[], added_ratings real[], added_ms bigint[],
  OUT item_ids integer[], OUT ratings_out real[], OUT rated_at_ms bigint[]
) LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  d integer;
  p integer;
BEGIN
  item_ids := COALESCE(items, '{}');
  ratings_out := COALESCE(ratings, '{}');
  rated_at_ms := COALESCE(rated_ms, '{}');
  FOREACH d IN ARRAY COALESCE(dropped, '{}') LOOP
    p := array_position(item_ids, d);
    IF p IS NOT NULL THEN
      item_ids := item_ids[:p - 1] || item_ids[p + 1:];
      ratings_out := ratings_out[:p - 1] || ratings_out[p + 1:];
      rated_at_ms := rated_at_ms[:p - 1] || rated_at_ms[p + 1:];
    END IF;
  END LOOP;
  item_ids := item_ids || COALESCE(added_items, '{}');
  ratings_out := ratings_out || COALESCE(added_ratings, '{}');
  rated_at_ms := rated_at_ms || COALESCE(added_ms, '{}');
END $$;

CREATE FUNCTION rating_ms(rated_at timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT floor(extract(epoch FROM rated_at) * 1000)::bigint
$$;

-- Each rating written one at a time changes its user's list in the same transaction (the list row's lock orders
-- concurrent writers). Bulk loaders SET LOCAL tastebud.bulk_ratings = 'on' and write the lists themselves.
CREATE FUNCTION ratings_keep_lists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.user_id <> NEW.user_id OR OLD.item_id <> NEW.item_id)) THEN
    UPDATE rating_lists l SET (item_ids, ratings, rated_at_ms) =
      (SELECT * FROM rating_list_apply(l.item_ids, l.ratings, l.rated_at_ms, ARRAY[OLD.item_id], NULL, NULL, NULL))
    WHERE l.user_id = OLD.user_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO rating_lists AS l (user_id, item_ids, ratings, rated_at_ms)
    VALUES (NEW.user_id, ARRAY[NEW.item_id], ARRAY[NEW.rating], ARRAY[rating_ms(NEW.rated_at)])
    ON CONFLICT (user_id) DO UPDATE SET (item_ids, ratings, rated_at_ms) =
      (SELECT * FROM rating_list_apply(l.item_ids, l.ratings, l.rated_at_ms, EXCLUDED.item_ids, EXCLUDED.item_ids, EXCLUDED.ratings, EXCLUDED.rated_at_ms));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER ratings_lists AFTER INSERT OR UPDATE OR DELETE ON "ratings"
  FOR EACH ROW WHEN (current_setting('tastebud.bulk_ratings', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION ratings_keep_lists();

CREATE FUNCTION ratings_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM rating_lists;
  RETURN NULL;
END $$;

CREATE TRIGGER ratings_lists_truncate AFTER TRUNCATE ON "ratings" FOR EACH STATEMENT EXECUTE FUNCTION ratings_truncated();

-- The lists of the ratings already stored.
INSERT INTO rating_lists (user_id, item_ids, ratings, rated_at_ms)
SELECT user_id, array_agg(item_id ORDER BY rated_at, item_id), array_agg(rating ORDER BY rated_at, item_id),
       array_agg(rating_ms(rated_at) ORDER BY rated_at, item_id)
FROM ratings GROUP BY user_id;
