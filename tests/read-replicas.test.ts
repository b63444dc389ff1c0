import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { GET as health } from "../app/api/v1/health/route";
import { withDatabase } from "../lib/db/embedded";
import { GET as statesRoute, POST as feedbackRoute } from "../app/api/v1/me/feedback/route";
import { readingOwnWrites } from "../lib/api/read-your-writes";
import { createToken } from "../lib/auth/tokens";
import { registerUser } from "../lib/auth/users";
import { readConfig, replicaUrls } from "../lib/config";
import { prisma, replicas, withPrimary, withReplicaReads } from "../lib/db/client";
import { executeJob } from "../lib/jobs/execute";
import { createJobRecord } from "../lib/jobs/store";
import { useTestDatabase } from "./support/db";
import { call } from "./support/http";

// A second database cloned from the same template stands in for a replica that has not caught up: rows written
// to the primary never reach it, and a marker row exists only there. Where a read lands shows which one it used.
const db = useTestDatabase();
const serverUrl = inject("pgServerUrl");
const replicaName = `r_${randomBytes(6).toString("hex")}`;
const replicaUrl = withDatabase(serverUrl, replicaName);
const MARKER = "Only On The Replica";

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const marker = () => prisma().item.findFirst({ where: { title: MARKER } });
// What the public API's reads do (apiRoute opts in); anything else reads the primary.
const apiRead = <T>(fn: () => Promise<T>) => withReplicaReads(fn);

beforeAll(async () => {
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${replicaName} TEMPLATE tastebud_template`));
  await admin(replicaUrl, (c) => c.query(`INSERT INTO items (title, genres) VALUES ($1, '{}')`, [MARKER]));
});

afterAll(async () => {
  process.env.DATABASE_REPLICA_URLS = replicaUrl;
  await Promise.all(replicas().map((r) => r.client.$disconnect()));
  delete process.env.DATABASE_REPLICA_URLS;
  await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${replicaName} WITH (FORCE)`));
});

describe("DATABASE_REPLICA_URLS", () => {
  it("unset: every read and write goes to the primary", async () => {
    delete process.env.DATABASE_REPLICA_URLS;
    expect(replicas()).toEqual([]);
    expect(await marker()).toBeNull();
    expect(await prisma().$primary().item.findFirst({ where: { title: MARKER } })).toBeNull();
  });

  describe("set", () => {
    beforeAll(() => {
      process.env.DATABASE_REPLICA_URLS = replicaUrl;
    });
    afterAll(() => {
      delete process.env.DATABASE_REPLICA_URLS;
    });

    it("sends the API's reads through prisma() to the replica and writes to the primary", async () => {
      expect(await apiRead(marker)).toMatchObject({ title: MARKER });
      const written = await prisma().item.create({ data: { title: "Written Through prisma()", genres: [] } });
      const onPrimary = await admin(db.url(), (c) => c.query("SELECT id FROM items WHERE title = $1", [written.title]));
      const onReplica = await admin(replicaUrl, (c) => c.query("SELECT id FROM items WHERE title = $1", [written.title]));
      expect(onPrimary.rows).toEqual([{ id: written.id }]);
      expect(onReplica.rows).toEqual([]);
      // The replica has not got it: a plain read misses it, the primary has it.
      expect(await apiRead(() => prisma().item.findFirst({ where: { title: written.title } }))).toBeNull();
      expect(await apiRead(() => prisma().$primary().item.findFirst({ where: { title: written.title } }))).toMatchObject({ id: written.id });
    });

    it("reads the primary outside the API: a page rendered right after a change shows it", async () => {
      expect(await marker()).toBeNull();
    });

    it("reads the primary in $primary(), transactions and withPrimary()", async () => {
      expect(await apiRead(() => prisma().$primary().item.findFirst({ where: { title: MARKER } }))).toBeNull();
      expect(await apiRead(() => prisma().$transaction((tx) => tx.item.findFirst({ where: { title: MARKER } })))).toBeNull();
      expect(await apiRead(() => withPrimary(() => marker()))).toBeNull();
    });

    it("after a caller writes, that caller's reads go to the primary for a while; other callers still read the replica", async () => {
      const who = `user:${randomBytes(4).toString("hex")}`;
      expect(await readingOwnWrites(who, false, marker)).toMatchObject({ title: MARKER });
      expect(await readingOwnWrites(who, true, marker)).toBeNull();
      expect(await readingOwnWrites(who, false, marker)).toBeNull();
      expect(await readingOwnWrites("user:someone-else", false, marker)).toMatchObject({ title: MARKER });
    });

    it("through the API: a token made a moment ago authenticates, and a like shows in the very next read", async () => {
      const user = await registerUser({ email: "replica-reader@example.com", password: "correct horse" });
      const { token } = await createToken(user, "t", ["read", "write"]);
      const item = await prisma().item.create({ data: { title: "Liked Film", genres: [] } });
      expect((await call(feedbackRoute, { method: "POST", token, body: { item_id: item.id, type: "like" } })).status).toBe(200);
      const states = await call<{ items: { reaction: string | null }[] }>(statesRoute, { token, path: `/api/v1/me/feedback?item_ids=${item.id}` });
      expect(states.status).toBe(200);
      expect(states.body.items[0].reaction).toBe("like");
    });

    it("runs a job the replica has not seen yet: jobs read the primary", async () => {
      const job = await createJobRecord({ kind: "catalog-stats", ownerId: null, payload: {}, maxAttempts: 1 });
      expect(await apiRead(() => prisma().job.findUnique({ where: { id: job.id } }))).toBeNull();
      expect(await executeJob(job.id, { attempt: 0, maxAttempts: 1 })).toMatchObject({ status: "succeeded" });
    });

    it("reports each replica's latency on /health", async () => {
      const res = await call<{ status: string; replicas: { name: string; status: string; latency_ms: number }[] }>(health);
      expect(res.status).toBe(200);
      expect(res.body.replicas).toEqual([{ name: "replica-1", status: "ok", kind: "postgresql", latency_ms: expect.any(Number) }]);
      expect(JSON.stringify(res.body)).not.toContain(replicaName);
    });

    it("reports a replica that is down, and the service as degraded", async () => {
      process.env.DATABASE_REPLICA_URLS = `${replicaUrl},${withDatabase(serverUrl, "no_such_database")}`;
      const res = await call<{ status: string; replicas: { name: string; status: string }[] }>(health);
      expect(res.body.status).toBe("degraded");
      expect(res.body.replicas.map((r) => [r.name, r.status])).toEqual([
        ["replica-1", "ok"],
        ["replica-2", "down"],
      ]);
      await replicas()[1].client.$disconnect();
      process.env.DATABASE_REPLICA_URLS = replicaUrl;
    });
  });

  it("refuses a list with an entry that is not a PostgreSQL URL, naming the entry", () => {
    expect(replicaUrls({ NODE_ENV: "test", DATABASE_REPLICA_URLS: " postgresql://a:b@r1:5432/db , postgres://r2/db " })).toEqual(["postgresql://a:b@r1:5432/db", "postgres://r2/db"]);
    expect(replicaUrls({ NODE_ENV: "test" })).toEqual([]);
    expect(() => replicaUrls({ NODE_ENV: "test", DATABASE_REPLICA_URLS: "postgresql://r1/db,r2:5432/db" })).toThrow(/DATABASE_REPLICA_URLS\.1: must be a postgresql:\/\/ URL/);
    expect(() => readConfig({ NODE_ENV: "test", DATABASE_REPLICA_URLS: "https://r1/db" })).toThrow(/Invalid environment:\n {2}DATABASE_REPLICA_URLS\.0/);
  });
});
