/**
 * What the gateway and machine benchmarks read about one process from /proc, and the median they
 * share. (bench/scrape.ts and bench/browser-ab.ts read /proc/<pid>/stat for whole process trees,
 * children's time included, with readers of their own.)
 *
 * Two CPU readers, for two resolutions: procCpuMs (utime + stime, 10 ms clock ticks) is enough
 * over a loaded run of seconds; runTimeMs (the scheduler's exact per-thread run time) is for a
 * process that is mostly idle, where a run's CPU is a few clock ticks (bench/machine-memory.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** User + system CPU of a process, in ms, from /proc (10 ms clock ticks). */
export function procCpuMs(pid: number): number {
  const { user, system } = procCpuSplitMs(pid);
  return user + system;
}

/** User and system (kernel: sockets, syscalls) CPU of a process, in ms, from /proc. */
export function procCpuSplitMs(pid: number): { user: number; system: number } {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { user: Number(rest[11]) * 10, system: Number(rest[12]) * 10 };
  } catch {
    return { user: 0, system: 0 };
  }
}

/** A `VmHWM`-style field of /proc/<pid>/status, in kB. */
export function procStatusKb(pid: number, key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Exact run time of every thread of a process, in ms (/proc/<pid>/task/<tid>/schedstat). */
export function runTimeMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* the thread ended between the listing and the read */
    }
  }
  return ns / 1e6;
}

/** The median of `xs` (the upper one of an even count). */
export const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
