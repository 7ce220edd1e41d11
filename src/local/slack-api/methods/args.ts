import type { Args, JsonObject, SlackResult } from '../types.ts';

export function fail(error: string, extra: JsonObject = {}): SlackResult {
  return { ok: false, error, ...extra };
}

/** A string argument; form bodies carry everything as strings, JSON bodies may carry numbers. */
export function str(args: Args, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function bool(args: Args, key: string): boolean {
  const value = args[key];
  return value === true || value === 'true' || value === '1' || value === 1;
}

/**
 * An argument Slack takes as JSON: a JSON-encoded string in form bodies (what WebClient sends
 * for `blocks` and `view`), or the value itself in JSON bodies.
 */
export function jsonArg(args: Args, key: string): { ok: true; value: unknown } | { ok: false } {
  const value = args[key];
  if (typeof value !== 'string') return { ok: true, value };
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch {
    return { ok: false };
  }
}

/** Views answer Block Kit problems as `invalid_arguments` with `[ERROR]` lines. */
export function invalidArguments(problems: string[]): SlackResult {
  return fail('invalid_arguments', {
    response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
  });
}

/** Messages answer Block Kit problems as `invalid_blocks` with an `errors` array. */
export function invalidBlocks(problems: string[]): SlackResult {
  return fail('invalid_blocks', {
    errors: problems,
    response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
  });
}
