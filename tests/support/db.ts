import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { prisma } from "../../lib/db/client";

/**
 * Ratings that rating_lists has and the ratings table does not ("extra"), and the other way round ("missing"):
 * both 0 whatever wrote the ratings (triggers for single writes, the loaders' own code in bulk).
 */
export async function ratingListDrift(url: string): Promise<{ extra: number; missing: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ extra: number; missing: number }>(`
      WITH listed AS (SELECT l.user_id, e.item_id, e.rating, e.ms FROM rating_lists l, unnest(l.item_ids, l.ratings, l.rated_at_ms) AS e(item_id, rating, ms)),
           stored AS (SELECT user_id, item_id, rating, rating_ms(rated_at) AS ms FROM ratings)
      SELECT (SELECT count(*)::int FROM (SELECT * FROM listed EXCEPT ALL SELECT * FROM stored) a) AS extra,
             (SELECT count(*)::int FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM listed) b) AS missing`);
    return rows[0];
  } finally {
    await client.end();
  }
}

/**
 * Gives this test file its own database, cloned from the migrated template, and points the app at it. When the
 * file's tests are done, its users' rating lists must hold exactly their ratings.
 */
export function useTestDatabase(): { url: () => string } {
  let url = "";
  const name = `t_${randomBytes(6).toString("hex")}`;
  const serverUrl = inject("pgServerUrl");
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE tastebud_template`);
    await admin.end();
    url = serverUrl.replace(/\/postgres$/, `/${name}`);
    process.env.DATABASE_URL = url;
  });
  afterAll(async () => {
    await prisma().$disconnect();
    if (url) expect(await ratingListDrift(url)).toEqual({ extra: 0, missing: 0 });
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  return { url: () => url };
}
