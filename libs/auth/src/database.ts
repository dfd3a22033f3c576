import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import { DatabaseConfig } from './auth.config';
import { CreateUsers1732320000000 } from './migrations/1732320000000-create-users';
import { UserEntity } from './user.entity';

/** Migrations are listed as classes (not globs) so that they survive bundling. */
export const MIGRATIONS = [CreateUsers1732320000000];
export const ENTITIES = [UserEntity];

export function databaseOptions(
  db: Pick<DatabaseConfig, 'DATABASE_URL' | 'DATABASE_SSL' | 'DATABASE_POOL_SIZE'> &
    Partial<Pick<DatabaseConfig, 'DATABASE_QUERY_TIMEOUT_MS'>>,
): DataSourceOptions {
  const queryTimeout =
    db.DATABASE_QUERY_TIMEOUT_MS ?? new DatabaseConfig().DATABASE_QUERY_TIMEOUT_MS;
  return {
    type: 'postgres',
    url: db.DATABASE_URL,
    ssl: db.DATABASE_SSL ? { rejectUnauthorized: true } : false,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    // Fail fast when the database is unreachable or stalls; readiness reports it, requests get 503.
    connectTimeoutMS: Math.min(queryTimeout, 5000),
    extra: {
      max: db.DATABASE_POOL_SIZE,
      // node-postgres, client side: waiting for a pooled connection, and each query's answer.
      connectionTimeoutMillis: queryTimeout,
      query_timeout: queryTimeout,
      // PostgreSQL, server side: cancel the statement, drop a session idle inside a transaction.
      statement_timeout: Math.max(100, queryTimeout - 250),
      idle_in_transaction_session_timeout: queryTimeout * 2,
      keepAlive: true,
    },
  };
}

/** Applies pending migrations and returns their names; used by `main.js migrate` and the tests. */
export async function runMigrations(url: string, ssl = false): Promise<string[]> {
  const ds = new DataSource(
    // Migrations may legitimately run long (an index on a large table): the request deadline is
    // not theirs.
    databaseOptions({
      DATABASE_URL: url,
      DATABASE_SSL: ssl,
      DATABASE_POOL_SIZE: 1,
      DATABASE_QUERY_TIMEOUT_MS: 120_000,
    }),
  );
  await ds.initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    // Two runs at once (a Helm hook retried beside a manual `migrate`, or two test workers) would
    // both create the migrations table and race on PostgreSQL's catalog. A session-level advisory
    // lock makes the second wait for the first, then find nothing pending.
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const executor = new MigrationExecutor(ds, runner);
    executor.transaction = 'each';
    const done = await executor.executePendingMigrations();
    return done.map((m) => m.name);
  } finally {
    // Closing the session releases the lock too; unlocking first frees it at once.
    await runner
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
    await runner.release();
    await ds.destroy();
  }
}

/** The advisory lock `runMigrations` holds: an arbitrary constant of this application's own. */
export const MIGRATION_LOCK_KEY = 7_293_117_001;

/**
 * Connects to PostgreSQL in the background, retrying with backoff, so that the process starts and
 * answers liveness while the database is away (readiness reports it down; requests that need it
 * get 503). Used with TypeOrmModule's `manualInitialization`.
 */
@Injectable()
export class DatabaseConnector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private stopped = false;
  private connecting?: Promise<void>;

  constructor(private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.connecting = this.connect();
  }

  private async connect(): Promise<void> {
    for (
      let delay = 250;
      !this.stopped && !this.dataSource.isInitialized;
      delay = Math.min(delay * 2, 15_000)
    ) {
      try {
        await this.dataSource.initialize();
        this.logger.log('connected to PostgreSQL');
      } catch (err) {
        this.logger.warn(
          { reason: (err as Error)?.message?.replace(/postgres(ql)?:\/\/\S+/g, '[url]') },
          `PostgreSQL unreachable; retrying in ${delay} ms`,
        );
        await sleep(delay);
      }
    }
  }

  /** Waits until connected (or until `timeoutMs`); for tools that need the database before serving. */
  async whenConnected(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.dataSource.isInitialized && Date.now() < deadline) await sleep(50);
    return this.dataSource.isInitialized;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.connecting;
  }
}
