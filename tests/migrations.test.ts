import path from "node:path";
import pg from "pg";
import { expect, inject, it } from "vitest";
import { diffMigrationsToSchema, isEmptyMigrationScript } from "../lib/db/schema-engine";
import { withDatabase } from "../lib/db/embedded";

// Fails when schema.prisma changes without a migration (or a migration changes the schema behind Prisma's back).
it("prisma/migrations builds exactly the database schema.prisma describes", async () => {
  const serverUrl = inject("pgServerUrl");
  const name = `shadow_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const sql = await diffMigrationsToSchema({
      migrationsDir: path.resolve("prisma/migrations"),
      schemaPath: path.resolve("prisma/schema.prisma"),
      shadowDatabaseUrl: withDatabase(serverUrl, name),
    });
    expect(isEmptyMigrationScript(sql), `schema.prisma and prisma/migrations differ; add a migration with:\n${sql}`).toBe(true);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
