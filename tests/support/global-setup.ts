import { rm } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, withDatabase, type EmbeddedDatabase } from "../../lib/db/embedded";
import { migrate } from "../../lib/db/migrate";

// One real PostgreSQL for the whole run; a migrated template database that every test file clones.
declare module "vitest" {
  export interface ProvidedContext {
    pgServerUrl: string;
  }
}

let server: EmbeddedDatabase | null = null;
const dataDir = path.resolve(".data-test", `pg-${process.pid}`);

export async function setup(project: TestProject) {
  await rm(dataDir, { recursive: true, force: true });
  server = await startEmbeddedPostgres({ dataDir, database: "tastebud_template", ephemeral: true });
  await migrate(server.url);
  const admin = new pg.Client({ connectionString: withDatabase(server.url, "postgres") });
  await admin.connect();
  await admin.query("ALTER DATABASE tastebud_template WITH IS_TEMPLATE true");
  await admin.end();
  project.provide("pgServerUrl", withDatabase(server.url, "postgres"));
}

export async function teardown() {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
}
