import { getMetadataStorage } from 'class-validator';
import { ConfigValidationError, declaredVariables, Env } from '@app/platform';

/**
 * A value each kind of rule must refuse: a word where a number is due, an unknown member of a
 * list, a non-boolean, and a line break (header and log injection) where a pattern is due.
 */
function badValueFor(config: Record<string, object>, variable: string): string {
  const storage = getMetadataStorage();
  const rules = new Set<string>();
  for (const section of Object.values(config)) {
    for (const m of storage.getTargetValidationMetadatas(
      section.constructor,
      '',
      true,
      false,
      undefined,
    ))
      if (m.propertyName === variable && m.name) rules.add(m.name);
  }
  if (['isInt', 'isNumber', 'min', 'max'].some((r) => rules.has(r))) return 'abc';
  if (rules.has('isIn')) return 'bogus';
  if (rules.has('isBoolean')) return 'maybe';
  if (rules.has('matches') || rules.has('minLength')) return 'bad\nvalue';
  throw new Error(`${variable} has no rule that can refuse a value (${[...rules].join(', ')})`);
}

/**
 * For every variable an app's config declares, starts from a valid environment, sets that variable
 * to a bad value, and expects the load to fail with a message naming that variable, and only it.
 */
export function describeEveryVariable(
  name: string,
  load: (env: Env) => Record<string, object>,
  validEnv: Env,
): void {
  describe(`${name}: a bad value of any variable stops the start`, () => {
    const valid = load(validEnv);
    const variables = declaredVariables(valid);

    it('declares its variables', () => {
      expect(variables.length).toBeGreaterThan(5);
    });

    it.each(variables)('names %s', (variable) => {
      const bad = badValueFor(valid, variable);
      let error: unknown;
      try {
        load({ ...validEnv, [variable]: bad });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigValidationError);
      const lines = (error as Error).message.split('\n').slice(1);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.trim()).toMatch(new RegExp(`^${variable}: `));
      expect((error as Error).message).not.toContain(bad);
    });
  });
}
