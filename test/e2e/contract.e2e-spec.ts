import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createTestQueue, sqsClient } from '../support/queues';
import { RunningApp, startGateway, uniqueEmail } from '../support/apps';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNNER = path.join(ROOT, 'tools/ci/contract/schemathesis.sh');
const CONFIG = path.join(ROOT, 'tools/ci/contract/schemathesis.toml');

/** Runs a command to the end without blocking this process (the gateway under test lives here). */
function run(
  cmd: string,
  args: string[],
  cwd = ROOT,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The API contract: Schemathesis generates requests from the OpenAPI document the gateway serves
 * and checks every response against it (status codes, content types, headers, schemas, negative
 * and positive data, unsupported methods, auth), against the real gateway on real PostgreSQL,
 * dynalite and local-aws-sqs, as a signed-up user. Checks that are off, and why, are in
 * tools/ci/contract/schemathesis.toml.
 */
describe('API contract (Schemathesis)', () => {
  let gw: RunningApp;
  let sqs: SQSClient;
  let queue: Awaited<ReturnType<typeof createTestQueue>>;

  beforeAll(async () => {
    // Installs the pinned fuzzer into its cache outside the checkout on first use.
    const install = await run('bash', [RUNNER, '--install-only']);
    if (install.code !== 0) throw new Error(`schemathesis install failed:\n${install.output}`);
    sqs = sqsClient();
    queue = await createTestQueue(sqs, 'contract');
    gw = await startGateway({
      CHECKS_QUEUE_URL: queue.queueUrl,
      EGRESS_ALLOW_HOSTS: '',
      THROTTLE_AUTH_PER_IP_PER_MINUTE: '100000',
    });
  }, 600_000);

  afterAll(async () => {
    await gw?.close();
    await queue?.dispose();
    sqs?.destroy();
  });

  it('finds no response that breaks the OpenAPI document', async () => {
    const email = uniqueEmail('contract');
    const password = 'correct horse battery';
    const headers = { 'content-type': 'application/json' };
    const body = JSON.stringify({ email, password });
    expect(
      (await fetch(`${gw.baseUrl}/api/v1/signup`, { method: 'POST', headers, body })).status,
    ).toBe(201);
    const signin = await fetch(`${gw.baseUrl}/api/v1/signin`, { method: 'POST', headers, body });
    const { accessToken } = (await signin.json()) as { accessToken: string };

    // Schemathesis keeps a crash cache in its working directory: a fresh one per run keeps the
    // checkout clean and the run reproducible from the seed alone.
    const workDir = mkdtempSync(path.join(os.tmpdir(), 'pricewatch-contract-'));
    const result = await run(
      'bash',
      [
        RUNNER,
        '--config-file',
        CONFIG,
        'run',
        `${gw.baseUrl}/docs-json`,
        '--url',
        gw.baseUrl,
        '--header',
        `Authorization: Bearer ${accessToken}`,
      ],
      workDir,
    ).finally(() => rmSync(workDir, { recursive: true, force: true }));
    if (result.code !== 0) process.stdout.write(result.output.slice(-20_000));
    expect(result.output).toMatch(/No issues found|passed/i);
    expect(result.code).toBe(0);
  }, 600_000);
});
