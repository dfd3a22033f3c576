/**
 * The apps' bundles, fast: `npm run build`, and what `npm start` and the tests build when a bundle
 * is missing or older than its sources.
 *
 *   tsx tools/build/apps.ts [app ...]     (default: every application in nest-cli.json)
 *
 * One esbuild run builds every requested app at once (in parallel, sharing the parse of the
 * libraries) into dist/apps/<app>/main.js: CommonJS for Node 24, node_modules left external (as
 * `nest build`'s webpack config does), the @app/* libraries bundled. Decorator metadata and the
 * Swagger CLI plugin come from tools/build/typescript-plugin.ts. No type-check: that is
 * `npm run typecheck`, and CI's `nest build <app>` (webpack + ts-loader), which builds the same
 * file from the same nest-cli.json and stays the path of the container images.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { ROOT, typescriptPlugin } from './typescript-plugin';

/** The applications of nest-cli.json, with their entry files. */
export function nestApps(): { name: string; entry: string }[] {
  const nestCli = JSON.parse(readFileSync(path.join(ROOT, 'nest-cli.json'), 'utf8')) as {
    projects: Record<string, { type: string; sourceRoot: string; entryFile: string }>;
  };
  return Object.entries(nestCli.projects)
    .filter(([, p]) => p.type === 'application')
    .map(([name, p]) => ({ name, entry: path.join(ROOT, p.sourceRoot, `${p.entryFile}.ts`) }));
}

export function bundlePath(app: string): string {
  return path.join(ROOT, 'dist', 'apps', app, 'main.js');
}

/** Bare imports stay `require`s (node_modules), except the workspace's own @app/* libraries. */
const externalPackages: esbuild.Plugin = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@app/') ? undefined : { path: args.path, external: true },
    );
  },
};

/**
 * How a Node program of this workspace is bundled: the apps' bundles, and anything else that must
 * run project code as they do (decorator metadata, the Swagger plugin), such as tools/api-types.
 */
export function nodeBundleOptions(): esbuild.BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    sourcemap: 'linked',
    // Not minified: Nest logs class names, and stack traces stay readable.
    keepNames: true,
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    mainFields: ['main', 'module'],
    plugins: [externalPackages, typescriptPlugin({ nestCliPlugins: true, esModules: false })],
    legalComments: 'none',
    logLevel: 'warning',
    // The Swagger plugin writes `enum` twice into some metadata objects (harmless: the second
    // wins, as in the webpack build); the project's own code is linted for duplicate keys.
    logOverride: { 'duplicate-object-key': 'silent' },
  };
}

/** Builds `names` (default: every app) into `outDir`/<app>/main.js (default: dist/apps). */
export async function buildApps(
  names?: string[],
  outDir = path.join(ROOT, 'dist', 'apps'),
): Promise<{ apps: string[]; ms: number }> {
  const started = Date.now();
  const all = nestApps();
  const apps = names && names.length > 0 ? names : all.map((a) => a.name);
  const entryPoints = apps.map((name) => {
    const app = all.find((a) => a.name === name);
    if (!app)
      throw new Error(
        `unknown app: ${name} (nest-cli.json has ${all.map((a) => a.name).join(', ')})`,
      );
    return { in: app.entry, out: path.join(name, 'main') };
  });
  await esbuild.build({ ...nodeBundleOptions(), entryPoints, outdir: outDir });
  return { apps, ms: Date.now() - started };
}

if (require.main === module) {
  buildApps(process.argv.slice(2))
    .then(({ apps, ms }) => process.stdout.write(`built ${apps.join(', ')} in ${ms} ms\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
