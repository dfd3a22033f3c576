import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

async function newestMtime(entry: string): Promise<number> {
  let stat;
  try {
    stat = await fs.stat(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return entry.endsWith('.spec.ts') ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const child of await fs.readdir(entry)) {
    newest = Math.max(newest, await newestMtime(path.join(entry, child)));
  }
  return newest;
}

/** True when dist/apps/<app>/main.js is missing or older than any source it is built from. */
export async function bundleIsStale(app: string): Promise<boolean> {
  const bundle = path.join(ROOT, 'dist', 'apps', app, 'main.js');
  let bundleMtime: number;
  try {
    bundleMtime = (await fs.stat(bundle)).mtimeMs;
  } catch {
    return true;
  }
  const libs = path.join(ROOT, 'libs');
  const libSources = existsSync(libs)
    ? (await fs.readdir(libs)).map((lib) => path.join(libs, lib, 'src'))
    : [];
  const inputs = [
    path.join(ROOT, 'apps', app, 'src'),
    path.join(ROOT, 'apps', app, 'tsconfig.app.json'),
    ...libSources,
    path.join(ROOT, 'tools', 'build'),
    path.join(ROOT, 'tsconfig.json'),
    path.join(ROOT, 'nest-cli.json'),
    path.join(ROOT, 'package.json'),
  ];
  const newest = Math.max(...(await Promise.all(inputs.map(newestMtime))));
  return newest > bundleMtime;
}
