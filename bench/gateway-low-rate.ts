/**
 * The gateway at a low request rate: one request at a time on one keep-alive connection, with a
 * pause between requests, on the embedded stack (as bench/http-adapter.ts):
 *
 *   npx nest build gateway && npx tsx bench/gateway-low-rate.ts
 *   LOW_RATE_PATH=/health/live   another path (default: the authenticated list of 20 jobs)
 *   LOW_RATE_GAPS=200,25,0       pauses between requests, in ms, one phase of 8 s each
 *   LOW_RATE_NODE_ARGS="..."     Node flags for the gateway (e.g. --cpu-prof --cpu-prof-dir=/tmp/p)
 *
 * Prints latency and the gateway's CPU per request (exact run time of its threads) for each
 * pause. Read it beside bench/machine-memory.ts, which measures a bare Node server the same way:
 * on this VM a request after a pause costs many times the CPU of one served back to back,
 * because memory left alone for a few hundred ms is slow to touch again (docs/PERFORMANCE.md, "A
 * request after a pause").
 */
import { startGatewayStack } from './support/gateway-stack';
import { benchHeader, pacedPhases } from './support/machine';

const PATH = process.env.LOW_RATE_PATH ?? '/api/v1/jobs?limit=20';
const GAPS = (process.env.LOW_RATE_GAPS ?? '200,25,0').split(',').map(Number);

async function main(): Promise<void> {
  console.log(await benchHeader('bench/gateway-low-rate', `GET ${PATH}, pauses ${GAPS} ms`));
  const stack = await startGatewayStack({
    users: 1,
    jobsPerUser: 20,
    nodeArgs: (process.env.LOW_RATE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  });
  let rows: Record<string, string | number>[];
  try {
    rows = await pacedPhases({
      url: `${stack.base}${PATH}`,
      headers: { authorization: `Bearer ${stack.tokens[0]}` },
      serverPid: stack.pid,
      gapsMs: GAPS,
      phaseMs: 8_000,
      warmUpRequests: 200,
    });
  } finally {
    await stack.stop();
  }
  console.table(rows);
}

void main();
