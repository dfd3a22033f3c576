/**
 * argon2id cost against sign-in capacity:
 *
 *   npm run bench:password-hash        (= npx tsx bench/password-hash.ts)
 *   UV_THREADPOOL_SIZE=2 npm run bench:password-hash
 *
 * For each cost (m KiB, t passes, p = 1):
 *   ms/hash 1 core     hashes one after the other (one libuv thread busy at a time), median
 *   CPU ms/hash        process CPU (the libuv threads included) per hash in that serial run
 *   ceiling/s          min(cores, pool) x 1000 / CPU ms: what the pool reaches on idle cores
 *   hashes/s pool      64 hashes in flight through the libuv pool (UV_THREADPOOL_SIZE, default
 *                      4) on all cores, which is how the gateway runs them under load
 *   1,000 sign-ins     how long the 1,000th of 1,000 simultaneous sign-ins waits: 1000 / (hashes/s)
 *   pool memory        m x min(pool size, in flight): argon2 memory held at once
 * argon2.verify recomputes the hash with the parameters stored in it, so a sign-in costs one
 * hash at the cost the password was stored with (checked below for the default).
 */
import os from 'node:os';
import * as argon2 from 'argon2';
import { benchHeader } from './support/machine';

const MEMORIES = [4096, 19456, 47104, 65536];
const TIMES = [1, 2, 3];
/** OWASP's other equivalent argon2id settings (same strength as m=19456 t=2 by its reckoning). */
const OWASP_EQUIVALENTS: [number, number][] = [
  [12288, 3],
  [9216, 4],
  [7168, 5],
];
const COSTS: [number, number][] = [
  ...MEMORIES.flatMap((m) => TIMES.map((t): [number, number] => [m, t])),
  ...OWASP_EQUIVALENTS,
];
const POOL = Number(process.env.UV_THREADPOOL_SIZE) || 4;
const IN_FLIGHT = 64;
const password = 'correct horse battery staple 42';

const hash = (m: number, t: number) =>
  argon2.hash(password, { type: argon2.argon2id, memoryCost: m, timeCost: t, parallelism: 1 });

/** Median wall ms of one hash, and the CPU ms one hash costs (robust when the box is busy). */
async function serial(m: number, t: number): Promise<{ ms: number; cpuMs: number }> {
  const times: number[] = [];
  const until = performance.now() + 1500;
  const c0 = process.cpuUsage();
  while (times.length < 3 || (performance.now() < until && times.length < 15)) {
    const s = performance.now();
    await hash(m, t);
    times.push(performance.now() - s);
  }
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000 / times.length;
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], cpuMs };
}

async function throughput(m: number, t: number, perHashMs: number): Promise<number> {
  // Enough hashes for about 2 s of work across the cores, at least two rounds of the pool.
  const cores = Math.min(os.cpus().length, POOL);
  const n = Math.max(POOL * 2, Math.round((2000 / perHashMs) * cores));
  let next = 0;
  const s = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, n) }, async () => {
      while (next < n) {
        next++;
        await hash(m, t);
      }
    }),
  );
  return n / ((performance.now() - s) / 1000);
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(await benchHeader('bench/password-hash', `UV_THREADPOOL_SIZE=${POOL}`));
  // Warm-up.
  await hash(4096, 1);
  await hash(19456, 2);

  const rows = [];
  for (const [m, t] of COSTS) {
    {
      const { ms, cpuMs } = await serial(m, t);
      const hps = await throughput(m, t, ms);
      const ceiling = (Math.min(cpus.length, POOL) * 1000) / cpuMs;
      rows.push({
        'm KiB': m,
        t,
        'ms/hash 1 core': ms.toFixed(1),
        'CPU ms/hash': cpuMs.toFixed(1),
        'hashes/s pool': hps.toFixed(1),
        [`ceiling/s ${Math.min(cpus.length, POOL)} cores`]: ceiling.toFixed(1),
        '1,000 sign-ins: last waits s': (1000 / hps).toFixed(1),
        'at ceiling s': (1000 / ceiling).toFixed(1),
        'pool memory MiB': ((m * Math.min(POOL, IN_FLIGHT)) / 1024).toFixed(0),
        load: os.loadavg()[0].toFixed(1),
      });
    }
  }
  console.table(rows);

  // A sign-in is a verify: same cost as the hash it checks.
  const stored = await hash(19456, 2);
  const vs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    await argon2.verify(stored, password);
    vs.push(performance.now() - s);
  }
  vs.sort((a, b) => a - b);
  console.log(`verify at m=19456 t=2: median ${vs[2].toFixed(1)} ms (one core)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
