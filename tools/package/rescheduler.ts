/**
 * `npm run package:rescheduler`: the rescheduler Lambda as one file and a zip ready to upload.
 *
 *   dist/rescheduler-lambda/lambda.js      the bundle (CommonJS, minified, Node 24)
 *   dist/rescheduler-lambda/lambda.js.map  its source map (kept out of the zip)
 *   dist/rescheduler-lambda.zip            lambda.js at the root: handler `lambda.handler`
 *
 * Decorator metadata (which esbuild does not emit) comes from tools/build/typescript-plugin.ts,
 * as for the apps' bundles. The AWS SDK v3 is bundled, not taken from the Lambda runtime, so the
 * versions tested are the versions deployed.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { typescriptPlugin } from '../build/typescript-plugin';
import { createZip } from './zip';

const ROOT = path.resolve(__dirname, '..', '..');
export const OUT_DIR = path.join(ROOT, 'dist', 'rescheduler-lambda');
export const BUNDLE_FILE = path.join(OUT_DIR, 'lambda.js');
export const ZIP_FILE = path.join(ROOT, 'dist', 'rescheduler-lambda.zip');
const ENTRY = path.join(ROOT, 'apps', 'rescheduler', 'src', 'lambda.ts');
/** Direct-upload limit of Lambda for a zipped package. */
const LAMBDA_DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024;

/**
 * Packages Nest (and its dependencies) require lazily inside try/catch, only for features the
 * rescheduler does not use; at runtime the require fails and Nest carries on without them. Each
 * was checked: none is required at load time on the handler's path.
 */
const OPTIONAL_LAZY_REQUIRES = [
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  '@nestjs/platform-express',
  '@nestjs/mongoose',
  '@nestjs/sequelize',
  '@nestjs/typeorm',
  '@mikro-orm/core',
  '@prisma/client',
  'class-transformer/storage',
  '@fastify/view',
  '@fastify/static',
  'pino-pretty',
  // AWS SDK: only for the CRT-based signing and the SSO/login credential flows, not used in Lambda.
  '@aws-sdk/signature-v4-crt',
  'aws-crt',
];

export interface PackageResult {
  bundleBytes: number;
  zipBytes: number;
  buildMs: number;
  zipFile: string;
  bundleFile: string;
}

export async function packageRescheduler(): Promise<PackageResult> {
  const started = Date.now();
  await fs.rm(OUT_DIR, { recursive: true, force: true });
  await fs.mkdir(OUT_DIR, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    outfile: BUNDLE_FILE,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    // Nest injects by class and logs class names; minified names would break `ModuleRef.get` by name
    // and make logs unreadable.
    keepNames: true,
    sourcemap: 'external',
    sourcesContent: false,
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    // Prefer the CommonJS entry of dual packages: Nest and the SDK are tested that way in Jest.
    mainFields: ['main', 'module'],
    external: OPTIONAL_LAZY_REQUIRES,
    plugins: [typescriptPlugin({ nestCliPlugins: false, esModules: true })],
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    logOverride: {
      // Nest and the SDK probe optional packages with `require` inside try/catch; that is intended.
      'require-resolve-not-external': 'silent',
    },
  });
  const bundle = await fs.readFile(BUNDLE_FILE);
  const zip = createZip([{ name: 'lambda.js', data: bundle }]);
  await fs.writeFile(ZIP_FILE, zip);
  await fs.writeFile(path.join(OUT_DIR, 'meta.json'), JSON.stringify(result.metafile));
  if (zip.length >= LAMBDA_DIRECT_UPLOAD_LIMIT) {
    throw new Error(`zip is ${zip.length} bytes, over Lambda's 50 MB direct-upload limit`);
  }
  return {
    bundleBytes: bundle.length,
    zipBytes: zip.length,
    buildMs: Date.now() - started,
    zipFile: ZIP_FILE,
    bundleFile: BUNDLE_FILE,
  };
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;

if (require.main === module) {
  packageRescheduler()
    .then((r) => {
      process.stdout.write(
        `rescheduler lambda: bundle ${mib(r.bundleBytes)} (${r.bundleBytes} B), ` +
          `zip ${mib(r.zipBytes)} (${r.zipBytes} B), built in ${r.buildMs} ms\n` +
          `  ${path.relative(ROOT, r.zipFile)} (handler lambda.handler)\n`,
      );
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
