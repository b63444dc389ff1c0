import { Prisma, prisma } from "../db/client";
import { fiveStarSql, OTHER_SCALES } from "../ratings/scales";

// Catalog statistics: per item the ratings count, mean and IMDb-weighted score
//   WR = v/(v+m) * R + m/(v+m) * C
// (v ratings of mean R, C the global mean, m the 60th percentile of counts), likes, and per genre the top items.
// Means are in stars (0.5-5) whatever scale a rating was given on (lib/ratings/scales.ts).

/** `mixedScales`: some users rate on another scale than five stars, so ratings are joined to their users. */
export type StatsPrior = { globalMean: number; minVotes: number; ratings: number; items: number; mixedScales: boolean };

export function weightedScore(count: number, mean: number, prior: Pick<StatsPrior, "globalMean" | "minVotes">): number {
  if (count === 0) return prior.globalMean;
  return (count / (count + prior.minVotes)) * mean + (prior.minVotes / (count + prior.minVotes)) * prior.globalMean;
}

/** weightedScore in SQL, for a count and a mean column. */
function weightedScoreSql(count: Prisma.Sql, mean: Prisma.Sql, prior: Pick<StatsPrior, "globalMean" | "minVotes">): Prisma.Sql {
  const [c, m] = [prior.globalMean, prior.minVotes];
  return Prisma.sql`CASE WHEN ${count} = 0 THEN ${c}::float8 ELSE (${count}::float8 / (${count} + ${m})) * ${mean} + (${m}::float8 / (${count} + ${m})) * ${c}::float8 END`;
}

/**
 * The ratings in stars, as `r` (item_id, stars): joined to their users only when some users rate on another scale
 * (on 26M MovieLens ratings the join would add half to the statistics' time for nothing). Joined, a rating whose user
 * is gone (its scale unknown) is left out, or kept with no stars (`orphans: "unscored"`).
 */
function starRatings(mixedScales: boolean, orphans: "left out" | "unscored" = "left out"): Prisma.Sql {
  if (!mixedScales) return Prisma.sql`(SELECT item_id, rating::float8 AS stars FROM ratings)`;
  return orphans === "left out"
    ? Prisma.sql`(SELECT r.item_id, ${fiveStarSql()} AS stars FROM ratings r JOIN users u ON u.id = r.user_id)`
    : Prisma.sql`(SELECT r.item_id, CASE WHEN u.id IS NULL THEN NULL ELSE ${fiveStarSql()} END AS stars FROM ratings r LEFT JOIN users u ON u.id = r.user_id)`;
}

async function hasMixedScales(): Promise<boolean> {
  const [other] = await prisma().$queryRaw<{ found: boolean }[]>`SELECT EXISTS (SELECT 1 FROM users WHERE source = ANY(${OTHER_SCALES})) AS found`;
  return other?.found ?? false;
}

/** Kept for applyStatsDelta: the prior every film's weighted score was last written with. */
async function savePrior(prior: StatsPrior): Promise<void> {
  await prisma().$executeRaw`
    INSERT INTO stats_prior (id, global_mean, min_votes, updated_at) VALUES (1, ${prior.globalMean}, ${prior.minVotes}, now())
    ON CONFLICT (id) DO UPDATE SET global_mean = EXCLUDED.global_mean, min_votes = EXCLUDED.min_votes, updated_at = EXCLUDED.updated_at`;
}

/**
 * The prior from one pass over the ratings, grouped by film: the global mean in stars, the 60th percentile of the
 * films' counts, and how many ratings and rated films there are. A rating whose user is gone counts towards its
 * film's number of ratings but, its scale unknown, not towards the mean (as in writeStatsOf). As three aggregates (one
 * per figure), the same figures took 4.7-6.9 s on 26M ratings, against 3.8-3.9 (two alternating rounds).
 */
export async function computePrior(): Promise<StatsPrior> {
  const mixedScales = await hasMixedScales();
  const rated = starRatings(mixedScales, "unscored");
  const [row] = await prisma().$queryRaw<{ global_mean: number | null; min_votes: number | null; ratings: bigint | null; items: bigint }[]>`
    WITH per_item AS (SELECT r.item_id, count(*) AS n, sum(r.stars) AS stars, count(r.stars) AS starred FROM ${rated} r GROUP BY r.item_id)
    SELECT sum(stars) / NULLIF(sum(starred), 0)::float8 AS global_mean,
           percentile_cont(0.6) WITHIN GROUP (ORDER BY n)::float8 AS min_votes,
           sum(n)::bigint AS ratings, count(*) AS items
    FROM per_item`;
  const prior = {
    globalMean: row?.global_mean ?? 0,
    minVotes: Math.max(1, Math.round(row?.min_votes ?? 1)),
    ratings: Number(row?.ratings ?? 0),
    items: Number(row?.items ?? 0),
    mixedScales,
  };
  await savePrior(prior);
  return prior;
}

/** What one write did to a film: ratings added (+1), changed (0) or taken away (-1), their sum in stars, and likes. */
export type StatsDelta = { ratings: number; stars: number; likes: number };

/**
 * One person's rating or like, counted into its film's statistics in the write's own transaction, so the film's
 * page and cards show it at once; the film is scored again with the prior of the last run (stats_prior), other films
 * keep their scores, and the next run rewrites every film from the ratings themselves. A film without statistics yet
 * gets a row from this write alone; with no prior saved (statistics never computed), a film's score is its mean.
 */
export async function applyStatsDelta(tx: Prisma.TransactionClient, itemId: number, d: StatsDelta): Promise<void> {
  if (d.ratings === 0 && d.stars === 0 && d.likes === 0) return;
  const count = Prisma.sql`(s.ratings_count + ${d.ratings}::int)`;
  const sum = Prisma.sql`(s.mean_rating * s.ratings_count + ${d.stars}::float8)`;
  const globalMean = Prisma.sql`(SELECT global_mean FROM stats_prior WHERE id = 1)`;
  const minVotes = Prisma.sql`COALESCE((SELECT min_votes FROM stats_prior WHERE id = 1), 1)`;
  const fresh = { count: Math.max(d.ratings, 0), mean: d.ratings > 0 ? d.stars / d.ratings : 0 };
  await tx.$executeRaw`
    INSERT INTO item_stats AS s (item_id, ratings_count, mean_rating, weighted_score, likes, updated_at)
    VALUES (${itemId}, ${fresh.count}, ${fresh.mean},
            (${fresh.count * fresh.mean} + ${minVotes} * COALESCE(${globalMean}, ${fresh.mean})) / (${fresh.count} + ${minVotes}),
            ${Math.max(d.likes, 0)}, now())
    ON CONFLICT (item_id) DO UPDATE SET
      ratings_count = GREATEST(${count}, 0),
      mean_rating = CASE WHEN ${count} > 0 THEN ${sum} / ${count} ELSE 0 END,
      weighted_score = CASE WHEN ${count} > 0 THEN (${sum} + ${minVotes} * COALESCE(${globalMean}, ${sum} / ${count})) / (${count} + ${minVotes})
                            ELSE COALESCE(${globalMean}, 0) END,
      likes = GREATEST(s.likes + ${d.likes}::int, 0),
      updated_at = now()`;
}

/** Rewrites item_stats for items with ids in [fromId, toId]; the job calls it in slices to report progress. */
export function writeItemStats(prior: StatsPrior, fromId: number, toId: number): Promise<number> {
  return writeStatsOf(prior, (column) => Prisma.sql`${column} BETWEEN ${fromId} AND ${toId}`);
}

/** Rewrites item_stats for the items whose id `which(column)` accepts (a range, or a list). */
function writeStatsOf(prior: StatsPrior, which: (column: Prisma.Sql) => Prisma.Sql): Promise<number> {
  const rated = starRatings(prior.mixedScales);
  return prisma().$executeRaw`
    INSERT INTO item_stats (item_id, ratings_count, mean_rating, weighted_score, likes, updated_at)
    SELECT i.id,
           COALESCE(r.n, 0),
           COALESCE(r.mean, 0),
           ${weightedScoreSql(Prisma.sql`COALESCE(r.n, 0)`, Prisma.sql`r.mean`, prior)},
           COALESCE(f.likes, 0),
           now()
    FROM items i
    LEFT JOIN (SELECT r.item_id, count(*)::int AS n, avg(r.stars) AS mean FROM ${rated} r
               WHERE ${which(Prisma.sql`r.item_id`)} GROUP BY r.item_id) r ON r.item_id = i.id
    LEFT JOIN (SELECT item_id, count(*)::int AS likes FROM feedback
               WHERE reaction = 'like' AND ${which(Prisma.sql`item_id`)} GROUP BY item_id) f ON f.item_id = i.id
    WHERE ${which(Prisma.sql`i.id`)}
    ON CONFLICT (item_id) DO UPDATE SET ratings_count = EXCLUDED.ratings_count, mean_rating = EXCLUDED.mean_rating,
      weighted_score = EXCLUDED.weighted_score, likes = EXCLUDED.likes, updated_at = EXCLUDED.updated_at`;
}

export async function itemIdRange(): Promise<{ min: number; max: number }> {
  const [row] = await prisma().$queryRaw<{ min: number | null; max: number | null }[]>`SELECT min(id) AS min, max(id) AS max FROM items`;
  return { min: row?.min ?? 0, max: row?.max ?? -1 };
}

export type GenreTop = { genre: string; items: { id: number; title: string; weighted_score: number }[] };

export async function topByGenre(perGenre = 10): Promise<GenreTop[]> {
  const rows = await prisma().$queryRaw<{ genre: string; id: number; title: string; weighted_score: number }[]>`
    SELECT genre, id, title, weighted_score FROM (
      SELECT g AS genre, i.id, i.title, s.weighted_score,
             row_number() OVER (PARTITION BY g ORDER BY s.weighted_score DESC, i.id) AS rank
      FROM items i JOIN item_stats s ON s.item_id = i.id, unnest(i.genres) AS g
      WHERE s.ratings_count > 0) ranked
    WHERE rank <= ${perGenre} ORDER BY genre, rank`;
  const byGenre = new Map<string, GenreTop>();
  for (const r of rows) {
    const entry = byGenre.get(r.genre) ?? { genre: r.genre, items: [] };
    entry.items.push({ id: r.id, title: r.title, weighted_score: Math.round(r.weighted_score * 1000) / 1000 });
    byGenre.set(r.genre, entry);
  }
  return [...byGenre.values()];
}

/**
 * After a small import: the statistics of the films it touched, without reading every rating. Their counts and means
 * are computed from their own ratings; the prior (global mean, the 60th percentile of counts) is taken from item_stats,
 * which holds every film's count and mean, so it reflects the import too. Other films keep the weighted score of the
 * last full run (a handful of new ratings moves the prior by a hair) until the nightly job rewrites them all.
 */
export async function refreshItemStats(itemIds: number[]): Promise<StatsPrior> {
  const mixedScales = await hasMixedScales();
  // Counts and means do not depend on the prior: write them first, then score with the prior they give.
  await writeStatsOf({ globalMean: 0, minVotes: 1, ratings: 0, items: 0, mixedScales }, (column) => Prisma.sql`${column} = ANY(${itemIds}::int[])`);
  const [row] = await prisma().$queryRaw<{ global_mean: number | null; min_votes: number | null; ratings: bigint | null; items: bigint }[]>`
    SELECT sum(ratings_count * mean_rating) / NULLIF(sum(ratings_count), 0) AS global_mean,
           percentile_cont(0.6) WITHIN GROUP (ORDER BY ratings_count) FILTER (WHERE ratings_count > 0) AS min_votes,
           sum(ratings_count) AS ratings, count(*) FILTER (WHERE ratings_count > 0) AS items
    FROM item_stats`;
  const prior: StatsPrior = {
    globalMean: row?.global_mean ?? 0,
    minVotes: Math.max(1, Math.round(row?.min_votes ?? 1)),
    ratings: Number(row?.ratings ?? 0),
    items: Number(row?.items ?? 0),
    mixedScales,
  };
  await savePrior(prior);
  await prisma().$executeRaw`
    UPDATE item_stats SET weighted_score = ${weightedScoreSql(Prisma.sql`ratings_count`, Prisma.sql`mean_rating`, prior)}
    WHERE item_id = ANY(${itemIds}::int[])`;
  return prior;
}

/** The whole computation in one go, for the seed; the job runs the same pieces as steps. */
export async function recomputeCatalogStats(): Promise<StatsPrior> {
  const prior = await computePrior();
  const { min, max } = await itemIdRange();
  if (max >= min) await writeItemStats(prior, min, max);
  return prior;
}
