/** Where the generated API types live and how a stale copy is told; no heavy imports (the spec loads it). */
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export const SCHEMA_FILE = path.join(ROOT, 'apps', 'web', 'src', 'api-schema.ts');
export const REFRESH_COMMAND = 'npm run api-types';

/** Whether `committed` (the text of `schemaFile`) is `expected`, and what to do when it is not. */
export function compareApiSchema(
  expected: string,
  committed: string,
  schemaFile = SCHEMA_FILE,
): { fresh: boolean; message: string } {
  const name = path.relative(ROOT, schemaFile);
  return expected === committed
    ? { fresh: true, message: `${name} is up to date` }
    : {
        fresh: false,
        message: `${name} does not match the gateway's OpenAPI document (a DTO or controller changed): run \`${REFRESH_COMMAND}\` and commit the result`,
      };
}
