/**
 * Reads the repository's Dockerfile for tools/ci/image-smoke.sh, so that the smoke reproduces
 * what the file says instead of a copy of it.
 *
 *   tsx tools/ci/image-smoke/dockerfile.ts <Dockerfile> install-flags     flags of prod-deps' `npm ci`
 *   tsx tools/ci/image-smoke/dockerfile.ts <Dockerfile> targets           the app targets
 *   tsx tools/ci/image-smoke/dockerfile.ts <Dockerfile> env <target>      ENV of the target (and its bases)
 *   tsx tools/ci/image-smoke/dockerfile.ts <Dockerfile> bundle <target>   the bundle it copies (dist/apps/<app>)
 *   tsx tools/ci/image-smoke/dockerfile.ts <Dockerfile> node-args <target> what its command passes to node
 *
 * One value per line. Only the subset of Dockerfile syntax the file uses is understood (FROM ...
 * AS, ENV k=v, COPY --from, RUN, ENTRYPOINT/CMD in exec form); anything it cannot read fails loudly.
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Splits the file into stages of instructions: continuations joined, comments dropped. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (current !== '' && line.startsWith('#')) continue; // comment inside a continuation
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  if (current !== '') logical.push(current);

  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\w+)\s+(.*)$/s.exec(line);
    if (!m) throw new Error(`cannot read Dockerfile line: ${line}`);
    const op = m[1].toUpperCase();
    const args = m[2].trim();
    if (op === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`cannot read FROM: ${args}`);
      stages.push({ name: from[2] ?? `stage${stages.length}`, from: from[1], instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push({ op, args });
    }
  }
  return stages;
}

function stage(stages: Stage[], name: string): Stage {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage named ${name}`);
  return found;
}

/** The stage and the stages it is built FROM, base first. */
function chain(stages: Stage[], name: string): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage(stages, name); s;) {
    out.unshift(s);
    s = stages.find((t) => t.name === s!.from);
  }
  return out;
}

function parseEnv(args: string): [string, string][] {
  const pairs: [string, string][] = [];
  const re = /(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(args))) {
    pairs.push([m[1], m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2]]);
  }
  if (pairs.length === 0) throw new Error(`cannot read ENV: ${args}`);
  return pairs;
}

export function targetEnv(stages: Stage[], target: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of chain(stages, target))
    for (const i of s.instructions)
      if (i.op === 'ENV') for (const [k, v] of parseEnv(i.args)) env[k] = v;
  return env;
}

/** The flags of the `npm ci` in the prod-deps stage. */
export function installFlags(stages: Stage[]): string[] {
  const run = stage(stages, 'prod-deps').instructions.find(
    (i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args),
  );
  if (!run) throw new Error('prod-deps has no `npm ci`');
  return run.args
    .slice(run.args.indexOf('npm ci') + 'npm ci'.length)
    .trim()
    .split(/\s+/);
}

/** The bundle a target copies from its build stage: `dist/apps/<app>`, relative to /app. */
export function bundle(stages: Stage[], target: string): string {
  for (const i of stage(stages, target).instructions) {
    const m = /^--from=build-\S+\s+\/src\/(\S+)\s+\.\/(\S+)$/.exec(i.op === 'COPY' ? i.args : '');
    if (m) {
      if (m[1] !== m[2]) throw new Error(`${target} copies ${m[1]} to another path (${m[2]})`);
      return m[1];
    }
  }
  throw new Error(`${target} copies no bundle from a build stage`);
}

function execForm(i: Instruction | undefined): string[] {
  if (!i) return [];
  const parsed: unknown = JSON.parse(i.args);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string'))
    throw new Error(`${i.op} must be in exec form: ${i.args}`);
  return parsed;
}

/** What the target's ENTRYPOINT + CMD hand to node (an init such as tini in front is skipped). */
export function nodeArgs(stages: Stage[], target: string): string[] {
  const last = (op: string) =>
    chain(stages, target)
      .flatMap((s) => s.instructions)
      .filter((i) => i.op === op)
      .pop();
  const command = [...execForm(last('ENTRYPOINT')), ...execForm(last('CMD'))];
  const node = command.indexOf('node');
  if (node < 0) throw new Error(`${target} does not run node: ${command.join(' ')}`);
  return command.slice(node + 1);
}

/** Stages that copy an app bundle: the images. */
export function targets(stages: Stage[]): string[] {
  return stages
    .filter((s) =>
      s.instructions.some(
        (i) => i.op === 'COPY' && /--from=build-\S+\s+\/src\/dist\/apps\//.test(i.args),
      ),
    )
    .map((s) => s.name);
}

if (require.main === module) {
  const [file, what, target] = process.argv.slice(2);
  const stages = parseDockerfile(readFileSync(file, 'utf8'));
  const lines: Record<string, () => string[]> = {
    'install-flags': () => installFlags(stages),
    targets: () => targets(stages),
    env: () => Object.entries(targetEnv(stages, target)).map(([k, v]) => `${k}=${v}`),
    bundle: () => [bundle(stages, target)],
    'node-args': () => nodeArgs(stages, target),
  };
  if (!lines[what]) {
    process.stderr.write(`unknown request: ${what}\n`);
    process.exit(2);
  }
  process.stdout.write(`${lines[what]().join('\n')}\n`);
}
