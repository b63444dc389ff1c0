// `npm run db:new -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that brings the
// migrations up to schema.prisma, using Prisma's wasm schema engine against a throwaway embedded PostgreSQL.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { diffMigrationsToSchema, isEmptyMigrationScript } from "../lib/db/schema-engine";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]+/gi, "_").toLowerCase();
if (!name) {
  console.error("Usage: npm run db:new -- <migration_name>");
  process.exit(2);
}
const dataDir = path.join(tmpdir(), `tastebud-shadow-${process.pid}`);
const shadow = await startEmbeddedPostgres({ dataDir, ephemeral: true, database: "shadow" });
try {
  const sql = await diffMigrationsToSchema({
    migrationsDir: path.resolve("prisma/migrations"),
    schemaPath: path.resolve("prisma/schema.prisma"),
    shadowDatabaseUrl: shadow.url,
  });
  if (isEmptyMigrationScript(sql)) {
    console.log("schema.prisma and prisma/migrations already agree; nothing to write");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.resolve("prisma/migrations", `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), sql);
    console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
  }
} finally {
  await shadow.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
