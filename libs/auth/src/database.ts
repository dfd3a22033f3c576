import { DataSource, DataSourceOptions } from 'typeorm';
import { CreateUsers1732320000000 } from './migrations/1732320000000-create-users';
import { UserEntity } from './user.entity';

/** Migrations are listed as classes (not globs) so that they survive bundling. */
export const MIGRATIONS = [CreateUsers1732320000000];
export const ENTITIES = [UserEntity];

export function databaseOptions(url: string, ssl: boolean): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    ssl: ssl ? { rejectUnauthorized: true } : false,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    // Fail fast when the database is unreachable; readiness reports it.
    connectTimeoutMS: 5000,
    extra: { max: Number(process.env.DATABASE_POOL_SIZE ?? 10), statement_timeout: 10000 },
  };
}

/** Applies pending migrations and returns their names; used by `main.js migrate` and the tests. */
export async function runMigrations(url: string, ssl = false): Promise<string[]> {
  const ds = new DataSource(databaseOptions(url, ssl));
  await ds.initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
