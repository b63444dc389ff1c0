import pg from "pg";
import { FILMS } from "../../prisma/seed/films";
import { copyRows } from "../db/copy";
import { splitGenres } from "./genres";
import { generateDemoRatings } from "./demo-data";

export type SeedReport = { seeded: boolean; films: number; users: number; ratings: number; ms: number };

/** Loads the demo catalog and synthetic users once, in one transaction: a killed seed leaves nothing behind. */
export async function seedDemoData(databaseUrl: string, opts: { users: number; seed: number }): Promise<SeedReport> {
  const started = Date.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    // Serialises concurrent starts on one database.
    await client.query("SELECT pg_advisory_xact_lock(4242)");
    const { rowCount } = await client.query("SELECT 1 FROM external_ids WHERE source = 'demo' LIMIT 1");
    if (rowCount) {
      await client.query("ROLLBACK");
      return { seeded: false, films: 0, users: 0, ratings: 0, ms: Date.now() - started };
    }
    const films = FILMS.map(([title, year, genres, series]) => ({ title, year, genres: splitGenres(genres), series: series ?? null }));
    const { rows: inserted } = await client.query<{ id: number; title: string; year: number }>(
      `INSERT INTO items (kind, title, year, genres, series)
       SELECT 'movie', t.title, t.year, string_to_array(t.genres, '|'), t.series
       FROM unnest($1::text[], $2::int[], $3::text[], $4::text[]) WITH ORDINALITY AS t(title, year, genres, series, n)
       ORDER BY t.n RETURNING id, title, year`,
      [films.map((f) => f.title), films.map((f) => f.year), films.map((f) => f.genres.join("|")), films.map((f) => f.series)],
    );
    const idOf = new Map(inserted.map((r) => [`${r.title}|${r.year}`, r.id]));
    const items = films.map((f) => ({ id: idOf.get(`${f.title}|${f.year}`) as number }));
    await copyRows(client, "external_ids", ["source", "value", "item_id"], items.map((item, i) => ["demo", `film-${i + 1}`, item.id]));

    const { rows: created } = await client.query<{ id: number; external_id: string }>(
      `INSERT INTO users (source, external_id, name)
       SELECT 'demo', 'demo-' || g, 'Demo viewer ' || g FROM generate_series(1, $1::int) AS g RETURNING id, external_id`,
      [opts.users],
    );
    const userId = new Map(created.map((r) => [r.external_id, r.id]));
    const users = Array.from({ length: opts.users }, (_, u) => ({ id: userId.get(`demo-${u + 1}`) as number }));
    const ratings = generateDemoRatings(films, { users: opts.users, seed: opts.seed });
    await copyRows(
      client,
      "ratings",
      ["user_id", "item_id", "rating", "rated_at"],
      ratings.map((r) => [users[r.user].id, items[r.film].id, r.rating, r.ratedAt]),
    );
    await client.query("COMMIT");
    return { seeded: true, films: films.length, users: users.length, ratings: ratings.length, ms: Date.now() - started };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
