/**
 * Prisma schema diffing without the native schema engine.
 *
 * The Prisma CLI downloads a native `schema-engine` binary for `prisma migrate diff/deploy`; on machines where that
 * download is impossible we drive Prisma's own WebAssembly build of the same engine
 * (`@prisma/schema-engine-wasm`) directly, talking to Postgres through `@prisma/adapter-pg`.
 *
 * Exports:
 * - `diffMigrationsToSchema` ≈ `prisma migrate diff --from-migrations <dir> --to-schema <schema> --script`
 *   (replays the migrations in a shadow database, which this module wipes before and after use).
 * - `diffEmptyToSchema` ≈ `prisma migrate diff --from-empty --to-schema <schema> --script` (needs no database).
 * - `deployMigrations` ≈ `prisma migrate deploy` (records applied migrations in `_prisma_migrations`, like the CLI).
 *
 * CLI (prints the SQL on stdout; errors on stderr with exit code 1, DEBUG=1 for stacks):
 *   SHADOW_DATABASE_URL=postgres://… tsx lib/db/schema-engine.ts diff <migrationsDir> <schemaPath>
 *   tsx lib/db/schema-engine.ts empty <schemaPath>
 *   DATABASE_URL=postgres://… tsx lib/db/schema-engine.ts deploy <migrationsDir>
 *
 * Packages (keep the @prisma/* versions in lockstep; this wasm build is the same engine commit that prisma@7.10.0 uses):
 *   prisma@7.10.0 @prisma/adapter-pg@7.10.0 @prisma/driver-adapter-utils@7.10.0 pg
 *   @prisma/schema-engine-wasm@7.10.0-4.0edf323efd1d98336f3f0a68684b56f689b900d3
 *
 * Works around two gaps in @prisma/adapter-pg when used by the schema engine (not by the query engine):
 * - it rejects Postgres' internal `"char"` type (OID 18), which the engine's catalog queries return
 *   (`pg_constraint.contype`) and must receive as ColumnType Character, so we carry such columns past it;
 * - its `executeScript` splits scripts on every `;` (breaking `DO $$ … $$` blocks, semicolons in strings and comments),
 *   so we run migration scripts as one simple-protocol query instead, as the native engine does.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  DriverAdapterError,
  type ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from '@prisma/driver-adapter-utils';
import type { DiffTarget, MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import * as engineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';

// ---------------------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------------------

export interface DiffMigrationsToSchemaOptions {
  /** Directory holding `<name>/migration.sql` folders (and optionally `migration_lock.toml`). */
  migrationsDir: string;
  /** Path to `schema.prisma` (a Prisma 7 schema whose datasource has a provider but no url is fine). */
  schemaPath: string;
  /** Postgres URL of an empty, disposable database. It is WIPED (all non-system schemas dropped) before and after. */
  shadowDatabaseUrl: string;
}

export interface DiffEmptyToSchemaOptions {
  schemaPath: string;
  /**
   * Optional. The engine asks its database for the server version before diffing; without a URL we answer that one
   * question offline (as Postgres 16) and no database is touched. With a URL, the server is only queried, not written.
   */
  databaseUrl?: string;
}

/**
 * SQL that brings a database built by applying every `migrationsDir/<name>/migration.sql` (in name order) up to the
 * datamodel in `schemaPath`. When they are in sync the engine returns only a comment
 * (`-- This is an empty migration.`); use {@link isEmptyMigrationScript} to test for that.
 */
export async function diffMigrationsToSchema(opts: DiffMigrationsToSchemaOptions): Promise<string> {
  const migrationsList = readMigrationsList(opts.migrationsDir);
  const schema = readSchema(opts.schemaPath);
  const shadowUrl = opts.shadowDatabaseUrl;
  if (!shadowUrl) throw new Error('diffMigrationsToSchema: shadowDatabaseUrl is required');

  try {
    // The engine's "main" connection is only asked for the server version here; the shadow connection gets the
    // migrations replayed into it and is then introspected.
    const factory = new PgFactory(shadowUrl, async () => {
      await wipeShadowDatabase(shadowUrl);
      return shadowUrl;
    });
    return await runDiff(factory, { from: { tag: 'migrations', ...migrationsList }, to: schema });
  } finally {
    await wipeShadowDatabase(shadowUrl).catch(() => undefined);
  }
}

/** SQL that creates the datamodel in `schemaPath` from an empty database (the first `migration.sql`). */
export async function diffEmptyToSchema(opts: DiffEmptyToSchemaOptions): Promise<string> {
  const schema = readSchema(opts.schemaPath);
  const factory: SqlMigrationAwareDriverAdapterFactory = opts.databaseUrl
    ? new PgFactory(opts.databaseUrl, () => Promise.reject(new Error('no shadow database configured')))
    : new OfflineFactory();
  return runDiff(factory, { from: { tag: 'empty' }, to: schema });
}

export interface DeployMigrationsOptions {
  migrationsDir: string;
  /** The database to migrate. Applied migrations are recorded in its `_prisma_migrations` table, as the CLI does. */
  databaseUrl: string;
}

/**
 * Apply every not-yet-applied migration of `migrationsDir` to `databaseUrl` ≈ `prisma migrate deploy`.
 * Returns the names of the migrations applied by this call (empty when the database was up to date).
 */
export async function deployMigrations(opts: DeployMigrationsOptions): Promise<string[]> {
  const migrationsList = readMigrationsList(opts.migrationsDir);
  const factory = new PgFactory(opts.databaseUrl, () =>
    Promise.reject(new Error('deployMigrations does not use a shadow database')),
  );
  const result = await withEngine(factory, (engine) => engine.applyMigrations({ migrationsList, filters: NO_FILTERS }));
  return result.appliedMigrationNames;
}

/** True when a script returned by the diff functions contains no SQL statement (only comments / whitespace). */
export function isEmptyMigrationScript(sql: string): boolean {
  return (
    sql
      .split('\n')
      .map((line) => line.replace(/--.*$/, '').trim())
      .join('') === ''
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Engine loading and invocation
// ---------------------------------------------------------------------------------------------------------------------

const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

interface PanicRegistry {
  message: string;
  set_message(message: string): void;
}
declare global {
  // Read by the wasm glue's panic hook (`global.PRISMA_WASM_PANIC_REGISTRY.set_message(...)`).
  var PRISMA_WASM_PANIC_REGISTRY: PanicRegistry | undefined;
}

let engineLoaded = false;

/**
 * The package's ESM entry does `import * as wasm from "./schema_engine_bg.wasm"`, which Node 20 cannot import.
 * So we import the JS glue (`schema_engine_bg.js`) ourselves, instantiate the .wasm bytes with the glue as its import
 * object (the wasm imports everything from module "./schema_engine_bg.js"), and hand the instance back to the glue.
 */
function loadEngineWasm(): void {
  if (engineLoaded) return;
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: '',
    set_message(message: string) {
      this.message = message;
    },
  };
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasmBytes = readFileSync(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
  const wasmModule = new WebAssembly.Module(wasmBytes);
  const imports: WebAssembly.Imports = {
    './schema_engine_bg.js': engineGlue as unknown as WebAssembly.ModuleImports,
  };
  const instance = new WebAssembly.Instance(wasmModule, imports);
  engineGlue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  engineLoaded = true;
}

async function runDiff(
  factory: SqlMigrationAwareDriverAdapterFactory,
  params: { from: DiffTarget; to: DiffTarget },
): Promise<string> {
  const result = await withEngine(factory, (engine) =>
    engine.diff({ ...params, script: true, exitCode: null, filters: NO_FILTERS }),
  );
  return result.stdout ?? '';
}

async function withEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  loadEngineWasm();
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const logs: string[] = [];
  let engine: SchemaEngine | undefined;
  try {
    engine = await engineGlue.SchemaEngine.new({ datamodels: undefined }, (line: string) => logs.push(line), adapter);
    return await run(engine);
  } catch (error) {
    throw translateEngineError(error, adapter, logs);
  } finally {
    engine?.free();
    if (factory instanceof PgFactory) await factory.disposeAll();
  }
}

function translateEngineError(
  error: unknown,
  adapter: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  logs: string[],
): Error {
  if (error instanceof WebAssembly.RuntimeError) {
    // A Rust panic leaves the wasm instance unusable: re-instantiate next time.
    engineLoaded = false;
    const reason = globalThis.PRISMA_WASM_PANIC_REGISTRY?.message ?? '';
    return new Error(`Prisma schema engine (wasm) panicked: ${reason || error.message}\n${logs.join('\n')}`, {
      cause: error,
    });
  }
  if (error instanceof Error) {
    // Errors thrown inside the driver adapter reach the engine as ids in the adapter's error registry.
    const id = /External error id#(\d+)/.exec(error.message)?.[1];
    const original = id === undefined ? undefined : adapter.errorRegistry.consumeError(Number(id))?.error;
    if (original instanceof Error) return original;
    const code = (error as Error & { code?: unknown }).code;
    if (typeof code === 'string' && !error.message.startsWith(code)) error.message = `${code}: ${error.message}`;
    return error;
  }
  return new Error(String(error));
}

// ---------------------------------------------------------------------------------------------------------------------
// Inputs: schema and migrations directory
// ---------------------------------------------------------------------------------------------------------------------

/** A `schema.prisma` file, or a directory of `.prisma` files (multi-file schema), read recursively. */
function readSchema(schemaPath: string): DiffTarget {
  const absolute = path.resolve(schemaPath);
  const files = statSync(absolute).isDirectory()
    ? readdirSync(absolute, { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.prisma'))
        .sort()
        .map((name) => path.join(absolute, name))
    : [absolute];
  if (files.length === 0) throw new Error(`No .prisma files found in ${absolute}`);
  return { tag: 'schemaDatamodel', files: files.map((file) => ({ path: file, content: readFileSync(file, 'utf8') })) };
}

const DEFAULT_LOCKFILE = '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n';

/** Same shape the Prisma CLI builds: sub-directories in name order, each with its `migration.sql`. */
function readMigrationsList(migrationsDir: string): MigrationList {
  const baseDir = path.resolve(migrationsDir);
  const names = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  return {
    baseDir,
    // The engine needs the provider from the lockfile; `prisma migrate dev` writes one, but synthesise it if absent.
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : DEFAULT_LOCKFILE,
    },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => {
      const file = path.join(baseDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file)
            ? { tag: 'ok' as const, value: readFileSync(file, 'utf8') }
            : { tag: 'error' as const, value: `Could not read ${file}` },
        },
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Driver adapters
// ---------------------------------------------------------------------------------------------------------------------

const PG_CHAR_OID = 18; // Postgres' internal single-byte "char" (pg_constraint.contype, pg_class.relkind, …)
const PG_TEXT_OID = 25;
/** Appended to the name of a `"char"` result column so the adapter wrapper can restore its type after PrismaPg. */
const CHAR_COLUMN_MARK = '\u0000prisma-char';

interface PgFieldLike {
  name: string;
  dataTypeID: number;
}
interface PgResultLike {
  fields?: PgFieldLike[];
}

function markCharFields(result: unknown): void {
  for (const r of Array.isArray(result) ? (result as unknown[]) : [result]) {
    const fields = (r as PgResultLike | null | undefined)?.fields;
    if (!Array.isArray(fields)) continue;
    for (const field of fields) {
      if (field.dataTypeID !== PG_CHAR_OID) continue;
      field.dataTypeID = PG_TEXT_OID; // PrismaPg throws UnsupportedNativeDataType on OID 18; its values are strings
      field.name += CHAR_COLUMN_MARK;
    }
  }
}

/** The engine reads `"char"` columns as ColumnType Character; PrismaPg cannot, so we carry the type past it. */
function restoreCharColumns(result: SqlResultSet): SqlResultSet {
  result.columnNames.forEach((name, i) => {
    if (!name.endsWith(CHAR_COLUMN_MARK)) return;
    result.columnNames[i] = name.slice(0, -CHAR_COLUMN_MARK.length);
    result.columnTypes[i] = ColumnTypeEnum.Character;
  });
  return result;
}

/** Patch one pooled pg client so that `"char"` result columns get through PrismaPg (see markCharFields). */
function patchClient(client: pg.PoolClient): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const patched = (...args: unknown[]): unknown => {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: unknown, res: unknown) => void;
      args[args.length - 1] = (err: unknown, res: unknown) => {
        if (!err) markCharFields(res);
        callback(err, res);
      };
      return original(...args);
    }
    const ret = original(...args);
    if (ret instanceof Promise) {
      return ret.then((res: unknown) => {
        markCharFields(res);
        return res;
      });
    }
    return ret;
  };
  (client as unknown as { query: typeof patched }).query = patched;
}

function toDriverAdapterError(error: unknown): unknown {
  if (error instanceof pg.DatabaseError) {
    return new DriverAdapterError({
      kind: 'postgres',
      code: error.code ?? 'UNKNOWN',
      severity: error.severity ?? 'ERROR',
      message: error.message,
      detail: error.detail,
      column: error.column,
      hint: error.hint,
      originalCode: error.code,
      originalMessage: error.message,
    });
  }
  return error;
}

/** PrismaPg's adapter with a multi-statement-safe `executeScript` and an idempotent `dispose`. */
class PgSchemaAdapter implements SqlDriverAdapter {
  readonly provider = 'postgres' as const;
  readonly adapterName: string;
  private disposed: Promise<void> | undefined;

  constructor(
    private readonly inner: SqlDriverAdapter,
    private readonly pool: pg.Pool,
  ) {
    this.adapterName = inner.adapterName;
  }

  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return restoreCharColumns(await this.inner.queryRaw(query));
  }
  executeRaw(query: SqlQuery): Promise<number> {
    return this.inner.executeRaw(query);
  }
  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    const tx = await this.inner.startTransaction(isolationLevel);
    const queryRaw = tx.queryRaw.bind(tx);
    tx.queryRaw = async (query: SqlQuery) => restoreCharColumns(await queryRaw(query));
    return tx;
  }
  getConnectionInfo() {
    return this.inner.getConnectionInfo?.() ?? { supportsRelationJoins: true };
  }
  async executeScript(script: string): Promise<void> {
    try {
      // Simple query protocol: Postgres itself splits the statements (and runs them in one implicit transaction).
      await this.pool.query(script);
    } catch (error) {
      throw toDriverAdapterError(error);
    }
  }
  dispose(): Promise<void> {
    this.disposed ??= this.inner.dispose();
    return this.disposed;
  }
}

function schemaFromUrl(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('schema') ?? undefined;
  } catch {
    return undefined;
  }
}

class PgFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  private readonly adapters: PgSchemaAdapter[] = [];

  constructor(
    private readonly url: string,
    private readonly prepareShadowDb: () => Promise<string>,
  ) {}

  private async open(url: string): Promise<PgSchemaAdapter> {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('connect', patchClient);
    const schema = schemaFromUrl(url);
    const inner = await new PrismaPg(pool, { disposeExternalPool: true, ...(schema ? { schema } : {}) }).connect();
    const adapter = new PgSchemaAdapter(inner, pool);
    this.adapters.push(adapter);
    return adapter;
  }

  connect(): Promise<SqlDriverAdapter> {
    return this.open(this.url);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return this.open(await this.prepareShadowDb());
  }

  async disposeAll(): Promise<void> {
    await Promise.all(this.adapters.map((adapter) => adapter.dispose().catch(() => undefined)));
  }
}

/**
 * A database-less adapter for `--from-empty` diffs: the engine's only query there is a server-version probe, which we
 * answer as Postgres 16. Anything else fails loudly (pass `databaseUrl` to use a real server instead).
 */
class OfflineFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = 'offline';

  connect(): Promise<SqlDriverAdapter> {
    return Promise.resolve(new OfflineAdapter());
  }
  connectToShadowDb(): Promise<SqlDriverAdapter> {
    return Promise.resolve(new OfflineAdapter());
  }
}

class OfflineAdapter implements SqlDriverAdapter {
  readonly provider = 'postgres' as const;
  readonly adapterName = 'offline';

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    if (/current_setting\('server_version_num'\)/.test(query.sql)) {
      return Promise.resolve({
        columnNames: ['exists', 'version', 'numeric_version'],
        columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
        rows: [[true, 'PostgreSQL 16.0 (offline stand-in for the Prisma schema engine)', 160000]],
      });
    }
    return this.unsupported(query.sql);
  }
  executeRaw(query: SqlQuery): Promise<number> {
    return this.unsupported(query.sql);
  }
  executeScript(script: string): Promise<void> {
    return this.unsupported(script);
  }
  startTransaction(): Promise<Transaction> {
    return this.unsupported('BEGIN');
  }
  getConnectionInfo() {
    return { supportsRelationJoins: true };
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
  private unsupported(sql: string): Promise<never> {
    return Promise.reject(
      new Error(`schema-engine: no database for this operation (pass databaseUrl). Query: ${sql.slice(0, 200)}`),
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Shadow database
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Drop every non-system schema of the shadow database and recreate an empty `public`. Refuses to touch a database that
 * has a `_prisma_migrations` table (i.e. one that `migrate deploy` has been run against), in case the wrong URL was given.
 */
async function wipeShadowDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const guard = await client.query<{ found: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = '_prisma_migrations' AND c.relkind = 'r') AS found",
    );
    if (guard.rows[0]?.found) {
      throw new Error(
        'Refusing to wipe the shadow database: it contains a _prisma_migrations table, so it looks like a real database. ' +
          'Point SHADOW_DATABASE_URL / shadowDatabaseUrl at an empty, disposable database.',
      );
    }
    await client.query(`
      DO $$
      DECLARE s text;
      BEGIN
        FOR s IN
          SELECT nspname FROM pg_namespace
          WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
            AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
        LOOP
          EXECUTE format('DROP SCHEMA %I CASCADE', s);
        END LOOP;
        CREATE SCHEMA public;
      END $$;`);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'diff' && rest.length === 2) {
    const shadowDatabaseUrl = process.env.SHADOW_DATABASE_URL;
    if (!shadowDatabaseUrl) throw new Error('SHADOW_DATABASE_URL must be set (an empty, disposable Postgres database)');
    const [migrationsDir, schemaPath] = rest as [string, string];
    process.stdout.write(await diffMigrationsToSchema({ migrationsDir, schemaPath, shadowDatabaseUrl }));
    return;
  }
  if (command === 'empty' && rest.length === 1) {
    process.stdout.write(await diffEmptyToSchema({ schemaPath: rest[0] as string }));
    return;
  }
  if (command === 'deploy' && rest.length === 1) {
    const databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) throw new Error('DATABASE_URL must be set');
    const applied = await deployMigrations({ migrationsDir: rest[0] as string, databaseUrl });
    process.stderr.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations.\n');
    return;
  }
  process.stderr.write(
    'usage:\n' +
      '  SHADOW_DATABASE_URL=postgres://… tsx lib/db/schema-engine.ts diff <migrationsDir> <schemaPath>\n' +
      '  tsx lib/db/schema-engine.ts empty <schemaPath>\n' +
      '  DATABASE_URL=postgres://… tsx lib/db/schema-engine.ts deploy <migrationsDir>\n',
  );
  process.exitCode = 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    const text = error instanceof Error ? (process.env.DEBUG ? (error.stack ?? error.message) : error.message) : error;
    process.stderr.write(`schema-engine: ${String(text)}\n`);
    process.exitCode = 1;
  });
}
