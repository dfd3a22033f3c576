/**
 * One `npm start` per data directory: Postgres and LevelDB would be corrupted (or refuse to
 * start with a confusing message) if two stacks shared it. The lock is a JSON file created with
 * O_EXCL that names the owner pid and the pids of everything it started, so that a lock left by a
 * killed run can be recognised as stale and its orphans stopped.
 */
import { readFileSync, rmSync, promises as fs } from 'node:fs';
import path from 'node:path';

export interface LockContents {
  pid: number;
  startedAt: string;
  dataDir: string;
  /** Processes started by the owner, by name (postgres, gateway, ...). */
  children: Record<string, number>;
}

export class LockHeldError extends Error {
  constructor(
    readonly holder: LockContents,
    lockFile: string,
  ) {
    super(
      `Another pricewatch local stack is already running with this data directory ` +
        `(pid ${holder.pid}, started ${holder.startedAt}, lock ${lockFile}). Stop it first ` +
        `(Ctrl-C in its terminal, or kill ${holder.pid}), or use another LOCAL_STACK_DATA_DIR.`,
    );
    this.name = 'LockHeldError';
  }
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process, when the OS exposes it (Linux); undefined otherwise. */
function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/**
 * A pid is reused by the OS once its process is gone, so "alive" is not enough: the process must
 * also look like what we started. Where /proc is missing we can only trust liveness.
 */
export function isStillOurs(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  const commandLine = commandLineOf(pid);
  return commandLine === undefined || commandLine.includes(marker);
}

async function readLock(file: string): Promise<LockContents | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as LockContents;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Half-written or garbage: treat as stale, the owner check below decides.
    return { pid: -1, startedAt: 'unknown', dataDir: path.dirname(file), children: {} };
  }
}

export interface ChildMarkers {
  /** A substring of the owner's command line (e.g. the script path). */
  owner: string;
  /** Substrings by child name; children without one are matched on liveness only. */
  children: Record<string, string>;
}

export class DataDirLock {
  private contents: LockContents;

  private constructor(
    readonly file: string,
    contents: LockContents,
  ) {
    this.contents = contents;
  }

  /**
   * Take the lock, or throw LockHeldError if a live owner has it. A stale lock's surviving
   * children are stopped first (reported through onStale), since they still hold the data.
   */
  static async acquire(
    dataDir: string,
    markers: ChildMarkers,
    onStale: (message: string) => void,
  ): Promise<DataDirLock> {
    const file = path.join(dataDir, 'local-stack.lock');
    for (let attempt = 0; attempt < 5; attempt++) {
      const contents: LockContents = {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        dataDir,
        children: {},
      };
      try {
        await fs.writeFile(file, JSON.stringify(contents, null, 2), { flag: 'wx', mode: 0o644 });
        return new DataDirLock(file, contents);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readLock(file);
      if (!holder) continue; // released in between: try again
      if (holder.pid !== process.pid && isStillOurs(holder.pid, markers.owner)) {
        throw new LockHeldError(holder, file);
      }
      onStale(`recovering a stale lock left by pid ${holder.pid} (started ${holder.startedAt})`);
      await stopOrphans(holder.children, markers, onStale);
      await fs.rm(file, { force: true });
    }
    throw new Error(`could not take the lock ${file}`);
  }

  /** Record a started child, so that a later run can clean up if this one is killed. */
  async recordChild(name: string, pid: number | undefined): Promise<void> {
    if (!pid) return;
    this.contents.children[name] = pid;
    await this.write();
  }

  async forgetChild(name: string): Promise<void> {
    delete this.contents.children[name];
    await this.write();
  }

  get children(): Readonly<Record<string, number>> {
    return this.contents.children;
  }

  private async write(): Promise<void> {
    // Write then rename, so that a reader never sees a half-written lock.
    const temporary = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(temporary, JSON.stringify(this.contents, null, 2));
    await fs.rename(temporary, this.file);
  }

  async release(): Promise<void> {
    const current = await readLock(this.file);
    if (current?.pid === process.pid) await fs.rm(this.file, { force: true });
  }

  /** For exit paths that cannot await. */
  releaseSync(): void {
    try {
      const current = JSON.parse(readFileSync(this.file, 'utf8')) as LockContents;
      if (current.pid === process.pid) rmSync(this.file, { force: true });
    } catch {
      // already gone
    }
  }
}

async function stopOrphans(
  children: Record<string, number>,
  markers: ChildMarkers,
  log: (message: string) => void,
): Promise<void> {
  const survivors = Object.entries(children).filter(([name, pid]) =>
    isStillOurs(pid, markers.children[name] ?? ''),
  );
  for (const [name, pid] of survivors) {
    log(`stopping ${name} (pid ${pid}) left running by the previous run`);
    // Postgres treats SIGINT as its fast shutdown; the apps treat SIGTERM as theirs.
    process.kill(pid, name === 'postgres' ? 'SIGINT' : 'SIGTERM');
  }
  const deadline = Date.now() + 20_000;
  for (const [name, pid] of survivors) {
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) {
      log(`${name} (pid ${pid}) did not stop, killing it`);
      process.kill(pid, 'SIGKILL');
    }
  }
}
