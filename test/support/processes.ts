import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { buildWeb, webBuildIsStale } from '../../apps/web/build';
import { buildApps } from '../../tools/build/apps';
import { bundleIsStale } from '../../tools/local-stack/bundles';

const ROOT = path.resolve(__dirname, '..', '..');
export type AppName = 'gateway' | 'scraper-worker' | 'rescheduler';

/** Builds the apps whose bundle is missing or stale, as `npm start` does (the gateway with its web app). */
export async function ensureBuilt(apps: AppName[]): Promise<void> {
  if (apps.includes('gateway') && (await webBuildIsStale())) await buildWeb();
  const stale: AppName[] = [];
  for (const app of apps) if (await bundleIsStale(app)) stale.push(app);
  if (stale.length > 0) await buildApps(stale);
}

/** One app's bundle running as its own process, the way the local stack and the images run it. */
export class AppProcess {
  private child?: ChildProcess;
  private output = '';
  private readonly listeners: ((text: string) => void)[] = [];

  constructor(
    readonly app: AppName,
    private readonly env: Record<string, string | undefined>,
    private readonly args: string[] = [],
  ) {}

  start(): this {
    this.output = '';
    this.child = spawn(
      process.execPath,
      [path.join(ROOT, 'dist', 'apps', this.app, 'main.js'), ...this.args],
      {
        cwd: ROOT,
        env: this.env as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      this.output = (this.output + text).slice(-20_000);
      for (const listener of this.listeners) listener(text);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  logs(): string {
    return this.output;
  }

  /** Everything the process writes from now on (stdout and stderr, in chunks), across restarts. */
  onOutput(listener: (text: string) => void): void {
    this.listeners.push(listener);
  }

  /** How the last run ended; undefined while running (or never started). */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    const child = this.child;
    if (!child || (child.exitCode === null && child.signalCode === null)) return undefined;
    return { code: child.exitCode, signal: child.signalCode };
  }

  /** Resolves with the exit code once the process is gone. */
  async run(): Promise<number | null> {
    const child = this.start().child!;
    return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
