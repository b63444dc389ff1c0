import { generateDemoRatings } from "../../lib/catalog/demo-data";
import { prisma } from "../../lib/db/client";

/** A small catalog with taste structure: `films` films cycling through `genres`, `users` synthetic raters. */
export async function seedSyntheticCatalog(opts: { films: number; users: number; genres: string[]; seed: number; userPrefix: string; series?: (i: number) => string | null }) {
  const films = Array.from({ length: opts.films }, (_, i) => ({ title: `Film ${i}`, year: 1990 + (i % 30), genres: [opts.genres[i % opts.genres.length]], series: opts.series?.(i) ?? null }));
  const items: { id: number }[] = [];
  for (const f of films) items.push(await prisma().item.create({ data: f }));
  const users: { id: number }[] = [];
  for (let u = 0; u < opts.users; u++) users.push(await prisma().user.create({ data: { source: "demo", externalId: `${opts.userPrefix}${u}` } }));
  const ratings = generateDemoRatings(films, { users: opts.users, seed: opts.seed });
  await prisma().rating.createMany({ data: ratings.map((r) => ({ userId: users[r.user].id, itemId: items[r.film].id, rating: r.rating, ratedAt: r.ratedAt })) });
  return { items, users };
}
