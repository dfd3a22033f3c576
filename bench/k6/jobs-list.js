// The seed's k6 scenarios, for anyone who has k6: `npm run bench:k6 -- load|stress|spike` runs
// this script when K6 names a k6 binary or k6 is on PATH (otherwise bench/k6/executor.ts runs the
// same stages). Environment (set by bench/k6/run.ts): SCENARIO, BASE, TOKENS (JSON array),
// BENCH_TIME_SCALE.
/* global open, __ENV, __VU */
import http from 'k6/http';
import { sleep } from 'k6';
import { Counter } from 'k6/metrics';

const all = JSON.parse(open('./scenarios.json'));
const name = __ENV.SCENARIO;
const scenario = all[name];
if (!scenario) throw new Error(`SCENARIO must be one of load, stress, spike (got ${name})`);
const scale = Number(__ENV.BENCH_TIME_SCALE || scenario.defaultTimeScale);
const tokens = JSON.parse(__ENV.TOKENS || '[]');

const timeouts = new Counter('timeouts');
const shed = new Counter('shed');

export const options = {
  scenarios: {
    [name]: {
      executor: 'ramping-vus',
      startVUs: 0,
      gracefulRampDown: '0s',
      stages: scenario.stages.map((s) => ({
        duration: `${s.fixed ? s.duration : Math.max(1, Math.round(s.duration * scale))}s`,
        target: s.target,
      })),
    },
  },
  summaryTrendStats: ['avg', 'p(95)', 'p(99)', 'max'],
};

export default function () {
  const token = tokens[(__VU - 1) % tokens.length];
  const res = http.get(`${__ENV.BASE}/api/v1/jobs?limit=20`, {
    headers: { authorization: `Bearer ${token}` },
    timeout: `${scenario.requestTimeoutSeconds}s`,
  });
  if (res.error_code === 1050) timeouts.add(1);
  if (res.status === 503) shed.add(1);
  sleep(all.thinkTimeSeconds);
}
