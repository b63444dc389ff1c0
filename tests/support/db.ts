import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { prisma } from "../../lib/db/client";
import { withDatabase } from "../../lib/db/embedded";

/** Gives this test file its own database, cloned from the migrated template, and points the app at it. */
export function useTestDatabase(): { url: () => string } {
  let url = "";
  const name = `t_${randomBytes(6).toString("hex")}`;
  const serverUrl = inject("pgServerUrl");
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE tastebud_template`);
    await admin.end();
    url = withDatabase(serverUrl, name);
    process.env.DATABASE_URL = url;
  });
  afterAll(async () => {
    await prisma().$disconnect();
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  return { url: () => url };
}
