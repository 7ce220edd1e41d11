import { expect } from 'vitest';
import {
  parseSpec,
  type SpecIssue,
  type SpecResult,
} from '../../../src/domain/submission-spec/index.ts';

/** The seed's example as a partner would submit it, without the optional sections. */
export function input(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    image: 'eu.gcr.io/theplayground_repo/my_service:1.0.3',
    service: 'my-service',
    ZOOM_LEVEL: 16,
    PADDING: 24,
    PREDICTOR_CLASS: 'MyPredictor',
    PREDICTOR_PACKAGE: 'my_package.my_module',
    ...overrides,
  };
}

export function errorsOf(result: SpecResult): SpecIssue[] {
  if (result.ok)
    throw new Error(`expected errors, got a valid spec: ${JSON.stringify(result.spec)}`);
  return result.errors;
}

/** The errors for the seed example with `overrides` applied. */
export function errorsFor(overrides: Record<string, unknown>): SpecIssue[] {
  return errorsOf(parseSpec(input(overrides)));
}

/** Asserts exactly one error, at `path`, whose message matches `pattern`. */
export function expectOneError(
  overrides: Record<string, unknown>,
  path: string,
  pattern: RegExp | string,
): void {
  const errors = errorsFor(overrides);
  expect(errors).toHaveLength(1);
  expect(errors[0]?.path).toBe(path);
  if (typeof pattern === 'string') expect(errors[0]?.message).toBe(pattern);
  else expect(errors[0]?.message).toMatch(pattern);
}

export function expectValid(overrides: Record<string, unknown>) {
  const result = parseSpec(input(overrides));
  if (!result.ok) throw new Error(`expected a valid spec, got ${JSON.stringify(result.errors)}`);
  return result.spec;
}
