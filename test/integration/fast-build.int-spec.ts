/**
 * The fast build (tools/build/apps.ts: esbuild + TypeScript for decorators and the Swagger plugin,
 * what `npm start` runs) gives the same gateway as the type-checked path: its bundle boots
 * against the real services and serves the very OpenAPI document of the gateway built with the
 * Swagger CLI plugin (here through ts-jest's transformer, the plugin `nest build` runs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { buildApps } from '../../tools/build/apps';
import { findFreePort } from '../../tools/local-stack/services';
import { eventually, RunningApp, startGateway, testEnv } from '../support/apps';

const ROOT = path.resolve(__dirname, '..', '..');
// Inside the repository, so that the bundle resolves node_modules as dist/apps/<app> does.
const OUT = path.join(ROOT, 'dist', '.fast-build-check');

/** Key order aside, two JSON documents are equal. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

describe('the fast build (tools/build/apps.ts)', () => {
  let child: ChildProcess | undefined;
  let output = '';
  let reference: RunningApp | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await reference?.close();
    await fs.rm(OUT, { recursive: true, force: true });
  });

  it('builds a gateway that serves the OpenAPI document of the plugin-built one', async () => {
    await buildApps(['gateway'], OUT);
    const port = await findFreePort();
    child = spawn(process.execPath, [path.join(OUT, 'gateway', 'main.js')], {
      cwd: ROOT,
      env: testEnv({ PORT: String(port), HOST: '127.0.0.1' }) as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const built = await eventually(
      async () => {
        if (child!.exitCode !== null) throw new Error(`the bundle exited:\n${output}`);
        const res = await fetch(`http://127.0.0.1:${port}/docs-json`);
        return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
      },
      120_000,
      'the fast-built gateway to serve /docs-json',
    );
    reference = await startGateway();
    const expected = (await (await fetch(`${reference.baseUrl}/docs-json`)).json()) as Record<
      string,
      unknown
    >;
    // A DTO without any decorator is described too (the plugin, not a decorator, does it).
    const schemas = (built.components as { schemas: Record<string, { properties?: object }> })
      .schemas;
    expect(Object.keys(schemas.NotificationDto.properties ?? {})).toContain('price');
    expect(canonical(built)).toEqual(canonical(expected));
    // A build, a bundle boot and an in-process gateway: bounded generously for a loaded CI machine.
  }, 300_000);
});
