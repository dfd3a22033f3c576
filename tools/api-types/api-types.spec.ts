import { spawn } from 'node:child_process';
import path from 'node:path';
import { compareApiSchema, REFRESH_COMMAND, SCHEMA_FILE } from './freshness';

/** Runs `tsx tools/api-types/generate.ts ...args` to its end. */
function generate(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Its own process: the gateway's bundle runs as the app does, outside Jest's module registry.
    const child = spawn(
      process.execPath,
      [require.resolve('tsx/cli'), path.join(__dirname, 'generate.ts'), ...args],
      { cwd: path.resolve(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the web app API types (apps/web/src/api-schema.ts)', () => {
  it('are what the gateway OpenAPI document gives now', async () => {
    const { code, output } = await generate(['--check']);
    // The generator's own message says which file is stale and the command that refreshes it.
    if (code !== 0) throw new Error(output);
    expect(output).toContain('api-schema.ts is up to date');
  }, 180_000);

  it('says a stale file is stale, and how to refresh it', () => {
    const stale = compareApiSchema('export interface paths {}\n', 'export interface old {}\n');
    expect(stale.fresh).toBe(false);
    expect(stale.message).toContain(
      path.relative(path.resolve(__dirname, '..', '..'), SCHEMA_FILE),
    );
    expect(stale.message).toContain(`\`${REFRESH_COMMAND}\``);
    expect(compareApiSchema('same\n', 'same\n').fresh).toBe(true);
  });
});
