/**
 * Builds the web app (apps/web) into static assets the gateway serves at `/`: one ES module and one
 * stylesheet, both content-hashed under assets/, and index.html that names them. No CDN: every
 * byte comes from the gateway, so the app works offline on the local stack.
 *
 *   npx tsx apps/web/build.ts          (also run by `npm run build`, CI, the images, `npm start`)
 *
 * The build fails when the first page's JavaScript exceeds its budget (issue 13: 100 KB gzip).
 */
import { build } from 'esbuild';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(__dirname, '..', '..');
export const WEB_SOURCE = path.join(ROOT, 'apps', 'web');
export const WEB_OUT = path.join(ROOT, 'dist', 'apps', 'web');
export const JS_BUDGET_GZIP_BYTES = 100 * 1024;

export interface WebBuildReport {
  js: string;
  css: string;
  jsBytes: number;
  jsGzipBytes: number;
  cssBytes: number;
  cssGzipBytes: number;
}

export async function buildWeb(outDir = WEB_OUT): Promise<WebBuildReport> {
  await fs.rm(outDir, { recursive: true, force: true });
  const assets = path.join(outDir, 'assets');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { app: path.join(WEB_SOURCE, 'src', 'main.tsx') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'firefox115', 'safari16.4'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    outdir: assets,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    tsconfig: path.join(WEB_SOURCE, 'tsconfig.json'),
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => path.resolve(ROOT, p));
  const js = outputs.find((p) => p.endsWith('.js'));
  const css = outputs.find((p) => p.endsWith('.css'));
  if (!js || !css) throw new Error('web build produced no script or no stylesheet');
  await fs.cp(path.join(WEB_SOURCE, 'public'), outDir, { recursive: true });
  const template = await fs.readFile(path.join(WEB_SOURCE, 'index.html'), 'utf8');
  const url = (file: string) => `/assets/${path.basename(file)}`;
  await fs.writeFile(
    path.join(outDir, 'index.html'),
    template.replace('%APP_CSS%', url(css)).replace('%APP_JS%', url(js)),
  );
  const [jsText, cssText] = await Promise.all([fs.readFile(js), fs.readFile(css)]);
  const report: WebBuildReport = {
    js: url(js),
    css: url(css),
    jsBytes: jsText.length,
    jsGzipBytes: gzipSync(jsText, { level: 9 }).length,
    cssBytes: cssText.length,
    cssGzipBytes: gzipSync(cssText, { level: 9 }).length,
  };
  if (report.jsGzipBytes > JS_BUDGET_GZIP_BYTES) {
    throw new Error(
      `web app JavaScript is ${report.jsGzipBytes} bytes gzip, over the ${JS_BUDGET_GZIP_BYTES} budget`,
    );
  }
  return report;
}

async function newestMtime(entry: string): Promise<number> {
  const stat = await fs.stat(entry).catch(() => undefined);
  if (!stat) return 0;
  if (!stat.isDirectory()) return entry.endsWith('.spec.ts') ? 0 : stat.mtimeMs;
  const children = await fs.readdir(entry);
  const times = await Promise.all(children.map((c) => newestMtime(path.join(entry, c))));
  return Math.max(0, ...times);
}

/** True when dist/apps/web is missing or older than apps/web or the lock file. */
export async function webBuildIsStale(outDir = WEB_OUT): Promise<boolean> {
  const index = path.join(outDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = (await fs.stat(index)).mtimeMs;
  const newest = Math.max(
    await newestMtime(WEB_SOURCE),
    await newestMtime(path.join(ROOT, 'package-lock.json')),
  );
  return newest > built;
}

if (require.main === module) {
  const started = Date.now();
  buildWeb().then(
    (r) => {
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
      process.stdout.write(
        `web app built in ${Date.now() - started} ms: ${r.js} ${kb(r.jsBytes)} (${kb(r.jsGzipBytes)} gzip), ` +
          `${r.css} ${kb(r.cssBytes)} (${kb(r.cssGzipBytes)} gzip)\n`,
      );
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
