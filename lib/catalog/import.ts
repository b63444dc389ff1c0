import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import pg from "pg";
import { copyRows } from "../db/copy";
import { readLines, type Line } from "../ratings/lines";
import { imdbId, splitCsvLine } from "../ratings/formats";
import { forgetImportIds } from "../ratings/import-ratings";
import { raiseRatingsVersions } from "../ratings/lists";
import { lineError, MAX_REPORTED_ERRORS, NUL_REASON, type LineError } from "../ratings/report";
import { GENRES } from "./genres";

// Catalog files: MovieLens movies.csv and links.csv, The Movies Dataset's movies_metadata.csv, MovieTweetings
// movies.dat. Each is staged with COPY and merged with set-based SQL in one transaction. Items are matched by
// their external ids, so the same film arriving from several files stays one item.

export type CatalogRow = {
  ids: { source: string; value: string }[];
  title?: string;
  year?: number | null;
  genres?: string[];
  overview?: string | null;
  series?: string | null;
};

export type CatalogResult = { read: number; loaded: number; rejected: number; itemsCreated: number; itemsUpdated: number; merged: number; errors: LineError[] };

type Reject = (line: number, reason: string, text: string) => void;

const KNOWN = new Set<string>(GENRES);
const GENRE_ALIASES: Record<string, string> = {
  "Science Fiction": "Sci-Fi",
  "Sci-fi": "Sci-Fi",
  Family: "Children",
  Kids: "Children",
  "Film Noir": "Film-Noir",
  Music: "Musical",
};

export function normalizeGenre(name: string): string {
  const trimmed = name.trim();
  return GENRE_ALIASES[trimmed] ?? trimmed;
}

export function normalizeGenres(names: string[]): string[] {
  return [...new Set(names.map(normalizeGenre).filter((g) => g && g !== "(no genres listed)"))].sort(
    (a, b) => Number(!KNOWN.has(a)) - Number(!KNOWN.has(b)) || a.localeCompare(b),
  );
}

/** "American President, The (1995)" -> { title: "The American President", year: 1995 } */
export function splitTitleYear(raw: string): { title: string; year: number | null } {
  const m = /^(.*?)\s*\((\d{4})(?:[-–]\d{0,4})?\)\s*$/.exec(raw.trim());
  let title = (m ? m[1] : raw).trim();
  const year = m ? Number(m[2]) : null;
  const article = /^(.*), (The|A|An|Les|La|Le|L'|Il|Das|Der|Die|El)$/.exec(title);
  if (article) title = `${article[2]}${article[2].endsWith("'") ? "" : " "}${article[1]}`;
  return { title, year };
}

/** Parses the Python-literal lists of dicts in movies_metadata.csv: "[{'id': 16, 'name': 'Animation'}]". */
export function pythonLiteralNames(text: string): string[] | null {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "[]") return [];
  if (!trimmed.startsWith("[") || !trimmed.endsWith("]")) return null;
  const names: string[] = [];
  const re = /'name':\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g;
  for (let m = re.exec(trimmed); m; m = re.exec(trimmed)) names.push((m[1] ?? m[2]).replace(/\\(.)/g, "$1"));
  return names;
}

function pythonLiteralName(text: string): string | null {
  const m = /'name':\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/.exec(text);
  return m ? (m[1] ?? m[2]).replace(/\\(.)/g, "$1") : null;
}

const POSITIVE_INT = /^\d{1,10}$/;

// ---- readers: file -> CatalogRow[] (catalog files are small enough to hold: The Movies Dataset has ~45k films)

/** A catalog file's lines but blank ones; a line holding a NUL byte is rejected here (no text column can hold it). */
async function* catalogLines(path: string, reject: Reject): AsyncGenerator<Line> {
  for await (const line of readLines(path, { start: 0, firstLineNumber: 1 })) {
    if (line.text.trim() === "") continue;
    if (line.text.includes("\u0000")) reject(line.number, NUL_REASON, line.text);
    else yield line;
  }
}

/** The lines of a small MovieLens CSV past its header, split into exactly `columns` fields, or rejected. */
async function* csvRows(path: string, columns: number, reject: Reject): AsyncGenerator<{ fields: string[]; line: number; text: string }> {
  for await (const line of catalogLines(path, reject)) {
    if (line.number === 1 && /^"?movieId"?,/i.test(line.text)) continue;
    const fields = splitCsvLine(line.text);
    if (!fields) reject(line.number, "broken quoting", line.text);
    else if (fields.length !== columns) reject(line.number, `expected ${columns} columns, found ${fields.length}`, line.text);
    else yield { fields: fields.map((f) => f.trim()), line: line.number, text: line.text };
  }
}

export async function readMoviesCsv(path: string, reject: Reject): Promise<CatalogRow[]> {
  const rows: CatalogRow[] = [];
  for await (const { fields, line, text } of csvRows(path, 3, reject)) {
    if (!POSITIVE_INT.test(fields[0])) reject(line, `movie id "${fields[0]}" is not a positive integer`, text);
    else if (!fields[1]) reject(line, "title is empty", text);
    else {
      const { title, year } = splitTitleYear(fields[1]);
      rows.push({ ids: [{ source: "movielens", value: String(Number(fields[0])) }], title, year, genres: normalizeGenres(fields[2].split("|")) });
    }
  }
  return rows;
}

export async function readLinksCsv(path: string, reject: Reject): Promise<CatalogRow[]> {
  const rows: CatalogRow[] = [];
  for await (const { fields, line, text } of csvRows(path, 3, reject)) {
    const [ml, imdb, tmdb] = fields;
    if (!POSITIVE_INT.test(ml)) reject(line, `movie id "${ml}" is not a positive integer`, text);
    else if (imdb && !POSITIVE_INT.test(imdb)) reject(line, `imdb id "${imdb}" is not numeric`, text);
    else if (tmdb && !POSITIVE_INT.test(tmdb)) reject(line, `tmdb id "${tmdb}" is not numeric`, text);
    else {
      const ids = [{ source: "movielens", value: String(Number(ml)) }];
      if (imdb) ids.push({ source: "imdb", value: imdbId(imdb) });
      if (tmdb) ids.push({ source: "tmdb", value: String(Number(tmdb)) });
      rows.push({ ids });
    }
  }
  return rows;
}

export async function readMovieTweetingsMovies(path: string, reject: Reject): Promise<CatalogRow[]> {
  const rows: CatalogRow[] = [];
  for await (const line of catalogLines(path, reject)) {
    const fields = line.text.split("::");
    if (fields.length !== 3) reject(line.number, `expected 3 fields separated by "::", found ${fields.length}`, line.text);
    else if (!POSITIVE_INT.test(fields[0].trim())) reject(line.number, `movie id "${fields[0]}" is not numeric`, line.text);
    else if (!fields[1].trim()) reject(line.number, "title is empty", line.text);
    else {
      const { title, year } = splitTitleYear(fields[1]);
      rows.push({ ids: [{ source: "imdb", value: imdbId(fields[0].trim()) }], title, year, genres: normalizeGenres(fields[2] ? fields[2].split("|") : []) });
    }
  }
  return rows;
}

export async function readMoviesMetadata(path: string, reject: Reject): Promise<CatalogRow[]> {
  const rows: CatalogRow[] = [];
  const parser = createReadStream(path).pipe(
    parse({ columns: true, bom: true, relax_column_count: true, skip_records_with_error: true, info: true, trim: false }),
  );
  parser.on("skip", (err: Error & { lines?: number }) => reject(err.lines ?? 0, `broken CSV: ${err.message}`, ""));
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    const r = rec.record;
    const line = rec.info.lines;
    const text = `${r.id ?? ""},${r.imdb_id ?? ""},${r.title ?? ""}`;
    if (Object.values(r).some((v) => typeof v === "string" && v.includes("\u0000"))) {
      reject(line, NUL_REASON, text);
      continue;
    }
    if (!POSITIVE_INT.test((r.id ?? "").trim())) {
      reject(line, `tmdb id "${(r.id ?? "").slice(0, 40)}" is not a positive integer`, text);
      continue;
    }
    if (!(r.title ?? "").trim()) {
      reject(line, "title is empty", text);
      continue;
    }
    const genres = pythonLiteralNames(r.genres ?? "");
    if (genres === null) {
      reject(line, "genres is not a list of {'id', 'name'} dicts", text);
      continue;
    }
    const ids = [{ source: "tmdb", value: String(Number(r.id)) }];
    if (/^tt\d{1,10}$/.test((r.imdb_id ?? "").trim())) ids.push({ source: "imdb", value: imdbId(r.imdb_id.trim().slice(2)) });
    const year = /^(\d{4})-/.exec(r.release_date ?? "")?.[1];
    rows.push({
      ids,
      title: r.title.trim(),
      year: year ? Number(year) : null,
      genres: normalizeGenres(genres),
      overview: r.overview?.trim() || null,
      series: r.belongs_to_collection ? pythonLiteralName(r.belongs_to_collection)?.replace(/ Collection$/, "") ?? null : null,
    });
  }
  return rows;
}

// ---- writer

/**
 * Upserts items by external id. For each row the item is the one any of its ids already points to (the first id
 * wins when they point to different items, which are then merged into it); a row no id matches becomes a new item.
 */
export async function upsertCatalogRows(databaseUrl: string, rows: CatalogRow[]): Promise<{ created: number; updated: number; merged: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query(`CREATE TEMP TABLE cat_stage (n int, title text, year int, genres text[], overview text, series text) ON COMMIT DROP`);
    await client.query(`CREATE TEMP TABLE cat_ids (n int, rank int, source text, value text) ON COMMIT DROP`);
    await copyRows(client, "cat_stage", ["n", "title", "year", "genres", "overview", "series"],
      rows.map((r, n) => [n, r.title ?? null, r.year ?? null, r.genres ? `{${r.genres.map((g) => `"${g.replace(/["\\]/g, "\\$&")}"`).join(",")}}` : null, r.overview ?? null, r.series ?? null]));
    await copyRows(client, "cat_ids", ["n", "rank", "source", "value"], rows.flatMap((r, n) => r.ids.map((id, rank) => [n, rank, id.source, id.value])));
    // Which existing item each row belongs to, and which other items the same row says are the same film.
    await client.query(`CREATE TEMP TABLE cat_match ON COMMIT DROP AS
      SELECT DISTINCT ON (c.n) c.n, e.item_id FROM cat_ids c JOIN external_ids e ON e.source = c.source AND e.value = c.value
      ORDER BY c.n, c.rank`);
    // The demo catalog's films (typed in by the project, known by no real id) are recognised by title and year, so a
    // real movies file names them instead of adding a second "The Godfather". Only when exactly one row and one
    // demo film meet: two films of one title and year stay apart.
    await client.query(`CREATE TEMP TABLE cat_demo ON COMMIT DROP AS
      SELECT i.id AS item_id, i.year, lower(regexp_replace(unaccent(i.title), '[^[:alnum:]]+', '', 'g')) AS key FROM items i
      WHERE EXISTS (SELECT 1 FROM external_ids e WHERE e.item_id = i.id AND e.source = 'demo')
        AND NOT EXISTS (SELECT 1 FROM external_ids e WHERE e.item_id = i.id AND e.source <> 'demo')
        AND NOT EXISTS (SELECT 1 FROM cat_match m WHERE m.item_id = i.id)`);
    await client.query(`INSERT INTO cat_match (n, item_id)
      WITH cand AS (
        SELECT s.n, d.item_id FROM cat_stage s JOIN cat_demo d ON d.year = s.year AND d.key = lower(regexp_replace(unaccent(s.title), '[^[:alnum:]]+', '', 'g'))
        WHERE NOT EXISTS (SELECT 1 FROM cat_match m WHERE m.n = s.n)),
      one_each AS (SELECT n, min(item_id) AS item_id FROM cand GROUP BY n HAVING count(*) = 1)
      SELECT o.n, o.item_id FROM one_each o WHERE (SELECT count(*) FROM cand c WHERE c.item_id = o.item_id) = 1`);
    // A film a ratings file brought first is a placeholder ("Unknown title (imdb tt0071562)") known by the file's id:
    // when the row that names it is also, by the same rule, a demo film, the row goes to the demo film and the
    // placeholder folds into it below (its id points elsewhere), ratings and all.
    await client.query(`WITH cand AS (
        SELECT m.n, d.item_id FROM cat_match m JOIN items p ON p.id = m.item_id AND p.title LIKE 'Unknown title (%'
        JOIN cat_stage s ON s.n = m.n JOIN cat_demo d ON d.year = s.year AND d.key = lower(regexp_replace(unaccent(s.title), '[^[:alnum:]]+', '', 'g'))
        WHERE NOT EXISTS (SELECT 1 FROM cat_match m2 WHERE m2.item_id = d.item_id)),
      one_each AS (SELECT n, min(item_id) AS item_id FROM cand GROUP BY n HAVING count(*) = 1)
      UPDATE cat_match m SET item_id = o.item_id FROM one_each o
      WHERE m.n = o.n AND (SELECT count(*) FROM cand c WHERE c.item_id = o.item_id) = 1`);
    await client.query(`CREATE TEMP TABLE cat_merge ON COMMIT DROP AS
      SELECT DISTINCT ON (e.item_id) m.item_id AS keep, e.item_id AS drop
      FROM cat_ids c JOIN cat_match m ON m.n = c.n JOIN external_ids e ON e.source = c.source AND e.value = c.value
      WHERE e.item_id <> m.item_id AND NOT EXISTS (SELECT 1 FROM cat_match m2 WHERE m2.item_id = e.item_id)
      ORDER BY e.item_id, m.item_id`);
    const merged = await mergeItems(client);
    const created = await client.query(`CREATE TEMP TABLE cat_new ON COMMIT DROP AS
      SELECT s.n, nextval(pg_get_serial_sequence('items', 'id'))::int AS item_id FROM cat_stage s
      WHERE NOT EXISTS (SELECT 1 FROM cat_match m WHERE m.n = s.n)`);
    await client.query(`INSERT INTO items (id, kind, title, year, genres, overview, series)
      SELECT c.item_id, 'movie', COALESCE(s.title, 'Unknown title (' || (SELECT i.source || ' ' || i.value FROM cat_ids i WHERE i.n = s.n ORDER BY rank LIMIT 1) || ')'),
             s.year, COALESCE(s.genres, '{}'), s.overview, s.series
      FROM cat_new c JOIN cat_stage s ON s.n = c.n`);
    const updated = await client.query(`UPDATE items i SET
        title = COALESCE(s.title, i.title), year = COALESCE(s.year, i.year),
        genres = CASE WHEN s.genres IS NULL OR cardinality(s.genres) = 0 THEN i.genres ELSE s.genres END,
        overview = COALESCE(s.overview, i.overview), series = COALESCE(s.series, i.series)
      FROM cat_match m JOIN cat_stage s ON s.n = m.n
      WHERE i.id = m.item_id AND (s.title IS NOT NULL OR s.genres IS NOT NULL OR s.overview IS NOT NULL)
        AND (i.title, i.year, i.genres, i.overview, i.series) IS DISTINCT FROM
            (COALESCE(s.title, i.title), COALESCE(s.year, i.year), CASE WHEN s.genres IS NULL OR cardinality(s.genres) = 0 THEN i.genres ELSE s.genres END,
             COALESCE(s.overview, i.overview), COALESCE(s.series, i.series))`);
    await client.query(`INSERT INTO external_ids (source, value, item_id)
      SELECT c.source, c.value, COALESCE(m.item_id, n.item_id) FROM cat_ids c
      LEFT JOIN cat_match m ON m.n = c.n LEFT JOIN cat_new n ON n.n = c.n
      ON CONFLICT (source, value) DO NOTHING`);
    await client.query("COMMIT");
    return { created: created.rowCount ?? 0, updated: updated.rowCount ?? 0, merged };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

/** Folds each `drop` item into its `keep` item: ratings (newest wins), feedback, events, ids; then deletes it. */
async function mergeItems(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM cat_merge");
  if (Number(rows[0].n) === 0) return 0;
  // The ratings of the users who rated a dropped item change (their stored rating lists with them): versions raised.
  await client.query(raiseRatingsVersions("SELECT r.user_id FROM ratings r JOIN cat_merge m ON m.drop = r.item_id"));
  await client.query(`INSERT INTO ratings (user_id, item_id, rating, rated_at)
    SELECT DISTINCT ON (r.user_id, m.keep) r.user_id, m.keep, r.rating, r.rated_at FROM ratings r JOIN cat_merge m ON m.drop = r.item_id
    ORDER BY r.user_id, m.keep, r.rated_at DESC
    ON CONFLICT (user_id, item_id) DO UPDATE SET rating = EXCLUDED.rating, rated_at = EXCLUDED.rated_at WHERE EXCLUDED.rated_at > ratings.rated_at`);
  await client.query(`INSERT INTO feedback (user_id, item_id, reaction, hidden, updated_at)
    SELECT DISTINCT ON (f.user_id, m.keep) f.user_id, m.keep, f.reaction, f.hidden, f.updated_at FROM feedback f JOIN cat_merge m ON m.drop = f.item_id
    ORDER BY f.user_id, m.keep, f.updated_at DESC
    ON CONFLICT (user_id, item_id) DO NOTHING`);
  // ratings has no foreign keys (see lib/ratings/cleanup.ts): the merged item's ratings go with it.
  await client.query(`DELETE FROM ratings r USING cat_merge m WHERE r.item_id = m.drop`);
  await client.query(`UPDATE events e SET item_id = m.keep FROM cat_merge m WHERE e.item_id = m.drop`);
  await client.query(`UPDATE external_ids e SET item_id = m.keep FROM cat_merge m WHERE e.item_id = m.drop`);
  await client.query(`UPDATE items k SET title = CASE WHEN k.title LIKE 'Unknown title (%' THEN d.title ELSE k.title END,
      year = COALESCE(k.year, d.year), genres = CASE WHEN cardinality(k.genres) = 0 THEN d.genres ELSE k.genres END,
      overview = COALESCE(k.overview, d.overview), series = COALESCE(k.series, d.series)
    FROM cat_merge m JOIN items d ON d.id = m.drop WHERE k.id = m.keep`);
  const deleted = await client.query(`DELETE FROM items i USING cat_merge m WHERE i.id = m.drop`);
  return deleted.rowCount ?? 0;
}

export const CATALOG_READERS = {
  movies: readMoviesCsv,
  links: readLinksCsv,
  "movies-metadata": readMoviesMetadata,
  "movietweetings-movies": readMovieTweetingsMovies,
} as const;

export type CatalogFormat = keyof typeof CATALOG_READERS;

export async function importCatalogFile(databaseUrl: string, format: CatalogFormat, path: string): Promise<CatalogResult> {
  const errors: LineError[] = [];
  let rejected = 0;
  const reject: Reject = (line, reason, text) => {
    rejected++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(lineError(line, reason, text));
  };
  // A film listed twice keeps its last line.
  const byFirstId = new Map<string, CatalogRow>();
  for (const row of await CATALOG_READERS[format](path, reject)) byFirstId.set(`${row.ids[0].source}:${row.ids[0].value}`, row);
  const rows = [...byFirstId.values()];
  const { created, updated, merged } = rows.length ? await upsertCatalogRows(databaseUrl, rows) : { created: 0, updated: 0, merged: 0 };
  // Merged items no longer exist: ratings imports in this process must look ids up again.
  if (merged || created) forgetImportIds();
  return { read: rows.length + rejected, loaded: rows.length, rejected, itemsCreated: created, itemsUpdated: updated, merged, errors };
}
