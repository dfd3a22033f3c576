import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GatewayConfig } from '../../../apps/gateway/src/gateway.config';
import { ReschedulerConfig } from '../../../apps/rescheduler/src/rescheduler.config';
import { WorkerConfig } from '../../../apps/scraper-worker/src/worker.config';
import { bundle, installFlags, nodeArgs, parseDockerfile, targetEnv, targets } from './dockerfile';

const ROOT = path.resolve(__dirname, '../../..');
const stages = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const nestCli = JSON.parse(readFileSync(path.join(ROOT, 'nest-cli.json'), 'utf8')) as {
  projects: Record<string, { type: string }>;
};
const apps = Object.entries(nestCli.projects)
  .filter(([, p]) => p.type === 'application')
  .map(([name]) => name);
const defaultPort: Record<string, number> = {
  gateway: new GatewayConfig().PORT,
  'scraper-worker': new WorkerConfig().PORT,
  rescheduler: new ReschedulerConfig().PORT,
};

describe('the Dockerfile', () => {
  it('has one target per app of the workspace, and no other', () => {
    expect(targets(stages).sort()).toEqual([...apps].sort());
  });

  it.each(apps)('%s: runs its own bundle as uid 10001 on its default port', (app) => {
    expect(bundle(stages, app)).toBe(`dist/apps/${app}`);
    const build = stages.find((s) => s.name === `build-${app}`)!;
    expect(build.instructions.map((i) => i.args)).toContain(`npx nest build ${app}`);
    expect(nodeArgs(stages, app)).toEqual([`dist/apps/${app}/main.js`]);
    const own = stages.find((s) => s.name === app)!.instructions;
    expect(own.filter((i) => i.op === 'USER').pop()?.args).toBe('10001:10001');
    const env = targetEnv(stages, app);
    expect(env.NODE_ENV).toBe('production');
    expect(env.HOME).toBe('/tmp');
    expect(Number(env.PORT)).toBe(defaultPort[app]);
    expect(own.find((i) => i.op === 'EXPOSE')?.args).toBe(env.PORT);
  });

  it('gateway: builds the web app and ships it beside its bundle, where it serves it from', () => {
    const build = stages.find((s) => s.name === 'build-gateway')!;
    expect(build.instructions.map((i) => i.args)).toContain('npx tsx apps/web/build.ts');
    const own = stages.find((s) => s.name === 'gateway')!.instructions;
    expect(own.map((i) => i.args)).toContain(
      '--from=build-gateway /src/dist/apps/web ./dist/apps/web',
    );
  });

  it('installs production dependencies only, with install scripts reviewed', () => {
    expect(installFlags(stages)).toEqual(
      expect.arrayContaining(['--omit=dev', '--omit=optional', '--strict-allow-scripts']),
    );
  });

  it('reads continuations and skips comments inside them', () => {
    const parsed = parseDockerfile(
      [
        'FROM base AS a',
        'ENV A=1 \\',
        '    # a note',
        '    B="two words"',
        'CMD ["node", "x.js"]',
      ].join('\n'),
    );
    expect(targetEnv(parsed, 'a')).toEqual({ A: '1', B: 'two words' });
    expect(nodeArgs(parsed, 'a')).toEqual(['x.js']);
  });
});
