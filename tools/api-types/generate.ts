/**
 * The web app's API types, generated from the gateway's own OpenAPI document so they cannot drift
 * from what the gateway serves:
 *
 *   npm run api-types            writes apps/web/src/api-schema.ts (and dist/openapi.json)
 *   npm run api-types -- --check exits 1 when the committed file is not what it would write
 *
 * The document is built by tools/api-types/gateway-document.ts, bundled the way the apps are
 * (tools/build: decorator metadata and the Swagger CLI plugin, so it is the document /docs-json
 * serves), then run without listening. openapi-typescript turns it into types; prettier formats
 * them as the rest of the repository is formatted. The check runs in `npm test`
 * (tools/api-types/api-types.spec.ts).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import * as prettier from 'prettier';
import { nodeBundleOptions } from '../build/apps';
import { ROOT } from '../build/typescript-plugin';
import { compareApiSchema, REFRESH_COMMAND, SCHEMA_FILE } from './freshness';

export const DOCUMENT_FILE = path.join(ROOT, 'dist', 'openapi.json');

/** The gateway's OpenAPI document, from a bundle of gateway-document.ts in a scratch directory. */
export async function gatewayDocument(): Promise<OpenAPI3> {
  // Under dist/ inside the repository, so the bundle resolves node_modules as the apps' do.
  await fs.mkdir(path.join(ROOT, 'dist'), { recursive: true });
  const scratch = await fs.mkdtemp(path.join(ROOT, 'dist', '.api-types-'));
  try {
    const outfile = path.join(scratch, 'gateway-document.js');
    await esbuild.build({
      ...nodeBundleOptions(),
      entryPoints: [path.join(__dirname, 'gateway-document.ts')],
      outfile,
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundle = require(outfile) as { gatewayOpenApiDocument(): Promise<OpenAPI3> };
    return await bundle.gatewayOpenApiDocument();
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** The text of api-schema.ts for `document`, formatted as the repository is. */
export async function apiSchemaSource(document: OpenAPI3): Promise<string> {
  // defaultNonNullable off: a request member with a default (a page's limit) stays optional.
  const ast = await openapiTS(document, { defaultNonNullable: false, silent: true });
  const header = `${COMMENT_HEADER.trimEnd()}\n// From the gateway's OpenAPI document: refresh with \`${REFRESH_COMMAND}\`.\n\n`;
  const options = await prettier.resolveConfig(SCHEMA_FILE);
  return prettier.format(header + astToString(ast), { ...options, filepath: SCHEMA_FILE });
}

/** Whether the committed api-schema.ts is what the gateway's document gives now. */
export async function checkApiSchema(
  schemaFile = SCHEMA_FILE,
): Promise<{ fresh: boolean; message: string }> {
  const expected = await apiSchemaSource(await gatewayDocument());
  const committed = await fs.readFile(schemaFile, 'utf8').catch(() => '');
  return compareApiSchema(expected, committed, schemaFile);
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--check')) {
    const { fresh, message } = await checkApiSchema();
    (fresh ? process.stdout : process.stderr).write(`${message}\n`);
    return fresh ? 0 : 1;
  }
  const document = await gatewayDocument();
  await fs.writeFile(DOCUMENT_FILE, `${JSON.stringify(document, null, 2)}\n`);
  await fs.writeFile(SCHEMA_FILE, await apiSchemaSource(document));
  process.stdout.write(
    `wrote ${path.relative(ROOT, SCHEMA_FILE)} from ${path.relative(ROOT, DOCUMENT_FILE)}\n`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
