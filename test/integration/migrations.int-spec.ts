import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MIGRATIONS, runMigrations } from '@app/auth';

/**
 * `main.js migrate` on the suite's real PostgreSQL, on a database of its own that starts empty:
 * several runs at once (a Helm hook retried beside a manual run; two test workers) must not race
 * on the catalog. Without the advisory lock this failed with "duplicate key value violates unique
 * constraint pg_type_typname_nsp_index" when two runs created the migrations table together.
 */
describe('runMigrations (PostgreSQL)', () => {
  const base = new URL(process.env.DATABASE_URL!);
  const dbName = `migrate_${randomBytes(6).toString('hex')}`;
  const url = Object.assign(new URL(base.href), { pathname: `/${dbName}` }).href;
  const connect = (to: string) => new DataSource({ type: 'postgres', url: to }).initialize();
  let admin: DataSource;

  beforeAll(async () => {
    admin = await connect(base.href);
    await admin.query(`CREATE DATABASE ${dbName}`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.destroy();
  });

  it('applies each migration once when four runs start together on an empty database', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => runMigrations(url)));

    // One run applied everything; the others waited for it and found nothing pending.
    const applied = runs.flat().sort();
    expect(applied).toEqual(MIGRATIONS.map((m) => m.name).sort());
    expect(runs.filter((r) => r.length > 0)).toHaveLength(1);

    const db = await connect(url);
    try {
      const rows: { name: string }[] = await db.query('SELECT name FROM migrations');
      expect(rows.map((r) => r.name).sort()).toEqual(applied);
      // The lock is released with the run: nobody holds it afterwards.
      const locks: unknown[] = await db.query(
        "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = $1)",
        [dbName],
      );
      expect(locks).toHaveLength(0);
    } finally {
      await db.destroy();
    }

    // A later run is a no-op.
    await expect(runMigrations(url)).resolves.toEqual([]);
  });
});
