import { z } from "zod";

// Every environment variable Tastebud reads, validated once. Empty strings count as unset.
const blankAsUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = z.preprocess(blankAsUndefined, z.string().optional());
const optionalUrl = z.preprocess(blankAsUndefined, z.url().optional());
// Comma-separated; each one must be a PostgreSQL URL, so a typo stops the start instead of failing reads later.
const urlList = z.preprocess(
  (v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : []),
  z.array(z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgresql:// URL (entries are separated by commas)" })),
);
const flag = z.preprocess(blankAsUndefined, z.enum(["true", "false", "1", "0"]).optional()).transform((v) => v === "true" || v === "1");

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.preprocess(blankAsUndefined, z.coerce.number().int().min(1).max(65535).default(3000)),
  DATABASE_URL: optionalUrl,
  DATABASE_REPLICA_URLS: urlList,
  DATA_DIR: z.preprocess(blankAsUndefined, z.string().default(".data")),
  NEXTAUTH_SECRET: optional,
  NEXTAUTH_URL: optionalUrl,
  ADMIN_EMAIL: z.preprocess(blankAsUndefined, z.email().optional()),
  ADMIN_PASSWORD: optional,
  UPSTASH_REDIS_REST_URL: optionalUrl,
  UPSTASH_REDIS_REST_TOKEN: optional,
  KV_REST_API_URL: optionalUrl,
  KV_REST_API_TOKEN: optional,
  INNGEST_EVENT_KEY: optional,
  INNGEST_SIGNING_KEY: optional,
  INNGEST_DEV: optional,
  INNGEST_BASE_URL: optionalUrl,
  SEED: z.preprocess(blankAsUndefined, z.coerce.number().int().default(42)),
  DEMO_USERS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(0).default(2000)),
  SKIP_SEED: flag,
  ALLOW_CLEANUP: flag,
  LOG_LEVEL: z.preprocess(blankAsUndefined, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info")),
});

export type Config = z.infer<typeof EnvSchema> & {
  cache: { url: string; token: string } | null;
  inngestEnabled: boolean;
};

/** Jobs run on Inngest when any of its variables is set, on the embedded runner otherwise. */
export function inngestEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.INNGEST_EVENT_KEY || env.INNGEST_DEV || env.INNGEST_BASE_URL);
}

/** A numeric setting read where it is used (limits can change per request in tests); `fallback` when unset or not a number. */
export function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  return v && Number.isFinite(Number(v)) ? Number(v) : fallback;
}

function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** Read replicas from DATABASE_REPLICA_URLS; empty when unset. Throws the same startup error as readConfig for a bad entry. */
export function replicaUrls(env: NodeJS.ProcessEnv = process.env): string[] {
  return parseEnv(EnvSchema.pick({ DATABASE_REPLICA_URLS: true }), env).DATABASE_REPLICA_URLS;
}

/**
 * The key Inngest's requests to /api/inngest are verified with. A production server that runs jobs on Inngest
 * (not its dev server) refuses to start without one, instead of starting and answering every Inngest call with 500.
 */
export function inngestSigningKey(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const key = blankAsUndefined(env.INNGEST_SIGNING_KEY) as string | undefined;
  const devServer = Boolean(env.INNGEST_DEV) && !["0", "false"].includes(String(env.INNGEST_DEV).trim().toLowerCase());
  if (!key && inngestEnabled(env) && env.NODE_ENV === "production" && !devServer) {
    throw new Error("Invalid environment:\n  INNGEST_SIGNING_KEY: required in production when Inngest runs the jobs (or set INNGEST_DEV=1 for a local dev server)");
  }
  return key;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(EnvSchema, env);
  inngestSigningKey(env);
  const cacheUrl = e.UPSTASH_REDIS_REST_URL ?? e.KV_REST_API_URL;
  const cacheToken = e.UPSTASH_REDIS_REST_TOKEN ?? e.KV_REST_API_TOKEN;
  return {
    ...e,
    cache: cacheUrl && cacheToken ? { url: cacheUrl, token: cacheToken } : null,
    inngestEnabled: inngestEnabled(env),
  };
}
