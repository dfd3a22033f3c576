/**
 * Where a process spent its CPU, from a V8 .cpuprofile (node --cpu-prof; e.g. the gateway under
 * bench/http-adapter.ts with HTTP_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"):
 *
 *   npx tsx bench/cpuprofile-summary.ts /tmp/prof/CPU.*.cpuprofile [--last 10] [--top 40]
 *
 * Prints self time by package (node_modules/<pkg>, or node: internals, or the bundle), the top
 * functions by self time, and the packages by inclusive time (time with a frame of that package
 * anywhere on the stack). --last N keeps only the last N seconds of samples (the load phase,
 * when the profile also holds start-up and other targets).
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    return ['(garbage collector)', '(idle)', '(program)', '(root)'].includes(functionName)
      ? functionName
      : '(native)';
  }
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  return url.replace(/^file:\/\//, '').replace(/^.*\/(dist|apps|libs)\//, '$1/');
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  if (!file) {
    console.error(
      'usage: npx tsx bench/cpuprofile-summary.ts <file.cpuprofile> [--last N] [--top N]',
    );
    process.exit(2);
  }
  const opt = (name: string, dflt: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const lastSeconds = opt('--last', 0);
  const top = opt('--top', 30);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Sample times (µs from start), to keep a window.
  const times: number[] = [];
  let t = 0;
  for (const d of profile.timeDeltas) times.push((t += d));
  const from = lastSeconds > 0 ? t - lastSeconds * 1e6 : -Infinity;

  const selfByPkg = new Map<string, number>();
  const selfByFn = new Map<string, number>();
  const inclByPkg = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    if (times[i] < from) continue;
    const dt = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i];
    const node = byId.get(profile.samples[i])!;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    total += dt;
    const pkg = packageOf(node.callFrame);
    selfByPkg.set(pkg, (selfByPkg.get(pkg) ?? 0) + dt);
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${pkg}:${node.callFrame.lineNumber + 1}`;
    selfByFn.set(fn, (selfByFn.get(fn) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const p = packageOf(byId.get(id)!.callFrame);
      if (!seen.has(p)) {
        seen.add(p);
        inclByPkg.set(p, (inclByPkg.get(p) ?? 0) + dt);
      }
    }
  }
  const show = (title: string, m: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(
        `${((v / total) * 100).toFixed(1).padStart(6)}%  ${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`,
      );
    }
  };
  console.log(
    `${file}: ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle` +
      (lastSeconds ? ` (last ${lastSeconds} s)` : ''),
  );
  show('self time by package', selfByPkg);
  show('self time by function', selfByFn);
  show('inclusive time by package (on the stack)', inclByPkg);
}

main();
