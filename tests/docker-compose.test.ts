import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// No Docker engine runs here, so the self-hosting files are checked as files: every service has a healthcheck, every
// dependency waits for health, and every variable the compose file reads or sets is one Tastebud documents.
const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[]; interval?: string; retries?: number };
  ports?: string[];
  volumes?: string[];
};
const composeText = read("docker-compose.yml");
const compose = parse(composeText) as { services: Record<string, Service> };
const services = compose.services;
const documented = new Set(read(".env.example").split("\n").flatMap((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1] ?? []));

describe("docker-compose.yml", () => {
  it("has Postgres, Redis, the Upstash-compatible front, Inngest and the app", () => {
    expect(Object.keys(services).sort()).toEqual(["app", "inngest", "postgres", "redis", "redis-http"]);
    expect(services.postgres.image).toMatch(/^postgres:/);
    expect(services.redis.image).toMatch(/^redis:/);
    expect(services["redis-http"].image).toMatch(/^hiett\/serverless-redis-http:/);
    expect(services.inngest.image).toMatch(/^inngest\/inngest:/);
    expect(services.inngest.command?.slice(0, 2)).toEqual(["inngest", "start"]);
    expect(services.app.build).toBeDefined();
  });

  it("gives every service a healthcheck", () => {
    for (const [name, service] of Object.entries(services)) {
      const test = service.healthcheck?.test ?? [];
      expect(["CMD", "CMD-SHELL"], `${name} healthcheck`).toContain(test[0]);
      expect(test.length, `${name} healthcheck command`).toBeGreaterThan(1);
      expect(service.healthcheck?.interval, `${name} interval`).toBeTruthy();
      expect(service.healthcheck?.retries, `${name} retries`).toBeGreaterThan(0);
    }
    expect(services.postgres.healthcheck?.test?.join(" ")).toContain("pg_isready");
    expect(services.redis.healthcheck?.test?.join(" ")).toContain("redis-cli ping");
    expect(services.inngest.healthcheck?.test?.join(" ")).toContain("http://127.0.0.1:8288/health");
    expect(services.app.healthcheck?.test?.join(" ")).toContain("http://127.0.0.1:3000/api/v1/health");
    expect(existsSync(path.join(root, "app/api/v1/health/route.ts"))).toBe(true);
  });

  it("starts each service only after what it needs is healthy", () => {
    const needs = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, Object.keys(s.depends_on ?? {}).sort()]));
    expect(needs).toEqual({ postgres: [], redis: [], "redis-http": ["redis"], inngest: ["postgres", "redis"], app: ["inngest", "postgres", "redis-http"] });
    for (const service of Object.values(services)) {
      for (const dependency of Object.values(service.depends_on ?? {})) expect(dependency.condition).toBe("service_healthy");
    }
  });

  it("reads only variables that .env.example documents, and sets only names the app reads", () => {
    const referenced = [...composeText.matchAll(/(?<!\$)\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]);
    expect(referenced.length).toBeGreaterThan(0);
    expect(referenced.filter((name) => !documented.has(name))).toEqual([]);
    expect(Object.keys(services.app.environment ?? {}).filter((name) => !documented.has(name))).toEqual([]);
  });

  it("wires the app to the other services with the same secrets on both sides", () => {
    const app = services.app.environment ?? {};
    expect(app.DATABASE_URL).toBe("postgresql://tastebud:${POSTGRES_PASSWORD}@postgres:5432/tastebud");
    expect(services.postgres.environment).toMatchObject({ POSTGRES_USER: "tastebud", POSTGRES_DB: "tastebud" });
    expect(app.UPSTASH_REDIS_REST_URL).toBe("http://redis-http:80");
    expect(services["redis-http"].environment?.SRH_TOKEN).toMatch(/^\$\{UPSTASH_REDIS_REST_TOKEN[:}]/);
    expect(app.UPSTASH_REDIS_REST_TOKEN).toBe("${UPSTASH_REDIS_REST_TOKEN}");
    expect(services["redis-http"].environment?.SRH_CONNECTION_STRING).toBe("redis://redis:6379");
    expect(app.INNGEST_BASE_URL).toBe("http://inngest:8288");
    for (const key of ["INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"]) {
      expect(services.inngest.environment?.[key]).toMatch(new RegExp(`^\\$\\{${key}[:}]`));
      expect(app[key]).toBe(`\${${key}}`);
    }
    // Inngest syncs and calls the functions the app serves at /api/inngest.
    expect(services.inngest.command).toContain("http://app:3000/api/inngest");
    expect(existsSync(path.join(root, "app/api/inngest/route.ts"))).toBe(true);
  });

  it("creates the database Inngest is pointed at, apart from Tastebud's", () => {
    expect(services.inngest.environment?.INNGEST_POSTGRES_URI).toMatch(/@postgres:5432\/inngest\b/);
    expect(services.postgres.volumes).toContain("./docker/postgres:/docker-entrypoint-initdb.d:ro");
    expect(read("docker/postgres/10-inngest-database.sql")).toMatch(/CREATE DATABASE inngest;/);
  });

  it("publishes only the app, and Inngest's unauthenticated dashboard on loopback", () => {
    const published = Object.entries(services).filter(([, s]) => s.ports?.length).map(([name, s]) => [name, s.ports]);
    expect(published).toEqual([
      ["inngest", ["127.0.0.1:8288:8288"]],
      ["app", ["${PORT:-3000}:3000"]],
    ]);
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");

  it("builds in stages on Node's slim image and serves through scripts/start.ts, which migrates first", () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const image of stages.filter((s) => s.startsWith("node:"))) expect(image).toMatch(/^node:(20|22)-[a-z]+-slim$/);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/next build/);
    expect(dockerfile).toMatch(/^CMD \["node", "--import", "tsx", "scripts\/start\.ts"\]$/m);
    expect(read("package.json")).toContain('"start": "tsx scripts/start.ts"');
    // start.ts opens the database through openDatabase, which applies prisma/migrations when DATABASE_URL is set.
    expect(read("scripts/start.ts")).toContain("openDatabase(");
    expect(read("lib/db/bootstrap.ts")).toMatch(/if \(given\) \{\s+await migrate\(given\);/);
  });

  it("keeps local state and secrets out of the build context", () => {
    const ignored = read(".dockerignore").split("\n");
    for (const entry of ["node_modules", ".next", ".data", ".env", ".git", "lib/db/generated"]) expect(ignored).toContain(entry);
    expect(ignored).toContain("!.env.example");
  });
});
