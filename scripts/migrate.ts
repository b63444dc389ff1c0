// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL (or the embedded database) without the Prisma CLI.
import path from "node:path";
import { openDatabase } from "../lib/db/bootstrap";
import { readMigrations } from "../lib/db/migrate";

const db = await openDatabase({ dataDir: path.resolve(process.env.DATA_DIR ?? ".data") });
console.log(`migrations up to date (${(await readMigrations()).length} in prisma/migrations)`);
await db.embedded?.stop();
