import { fileURLToPath } from 'node:url';
import { beforeAll } from 'vitest';
import { runPythonFile } from '../helpers.ts';

type Outcome = { ok: unknown } | { error: string };

/**
 * Runs `NAME_cases.py` (beside this file) once before the tests of the calling file and
 * reads its outcomes by case name: ok() the value, error() "ExceptionType: message".
 * A case that ended the other way fails the test with what it got.
 */
export function pythonCases(name: string): {
  ok: (name: string) => unknown;
  error: (name: string) => string;
} {
  let out: Record<string, Outcome> = {};
  beforeAll(() => {
    out = runPythonFile(fileURLToPath(new URL(`./${name}_cases.py`, import.meta.url))) as Record<
      string,
      Outcome
    >;
  });
  return {
    ok: (name) => {
      const outcome = out[name];
      if (!outcome || !('ok' in outcome)) throw new Error(`${name}: ${JSON.stringify(outcome)}`);
      return outcome.ok;
    },
    error: (name) => {
      const outcome = out[name];
      if (!outcome || !('error' in outcome)) throw new Error(`${name}: ${JSON.stringify(outcome)}`);
      return outcome.error;
    },
  };
}
