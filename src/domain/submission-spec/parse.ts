import { load } from 'js-yaml';
import { reservedServiceProblem } from './appengine.ts';
import { validateSpec } from './schema.ts';
import type { SpecIssue, SpecResult } from './types.ts';
import { isMapping } from './values.ts';

export interface ParseOptions {
  /** Service ids the Playground team keeps for itself, besides `default` (always refused). */
  reservedServices?: readonly string[];
}

/**
 * Validates a submission given as a plain object (the Slack modal builds one), returning
 * every error and warning at once. Never throws.
 */
export function parseSpec(input: unknown, options: ParseOptions = {}): SpecResult {
  let result: ReturnType<typeof validateSpec>;
  try {
    result = validateSpec(input);
  } catch {
    // Only exotic objects (throwing getters, proxies) get here; plain data never does.
    return {
      ok: false,
      errors: [{ path: '', message: 'could not be read as a submission' }],
      warnings: [],
    };
  }
  const { spec, warnings } = result;
  const errors = [
    ...result.errors,
    ...reservedIssues(spec?.service ?? input, result.errors, options),
  ];
  return spec !== undefined && errors.length === 0
    ? { ok: true, spec, warnings }
    : { ok: false, errors, warnings };
}

/** A reserved service id, when the service id (the spec's, or the raw input's) is otherwise valid. */
function reservedIssues(
  serviceOrInput: unknown,
  errors: SpecIssue[],
  options: ParseOptions,
): SpecIssue[] {
  const service = isMapping(serviceOrInput) ? serviceOrInput.service : serviceOrInput;
  if (typeof service !== 'string' || errors.some((e) => e.path === 'service')) return [];
  const problem = reservedServiceProblem(service.trim(), options.reservedServices);
  return problem ? [{ path: 'service', message: problem }] : [];
}

/**
 * The most a spec may take as YAML text, in bytes of UTF-8 (64 KiB): a spec is a few
 * lines, so this only stops absurd input, before any YAML parser sees it.
 */
export const SPEC_YAML_MAX = 64 * 1024;

/** Undefined when `text` fits SPEC_YAML_MAX, else "at most 65,536 bytes; this is 1,048,576". */
export function yamlSizeProblem(text: string): string | undefined {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes <= SPEC_YAML_MAX) return undefined;
  return `at most ${SPEC_YAML_MAX.toLocaleString('en-US')} bytes; this is ${bytes.toLocaleString('en-US')}`;
}

/**
 * Validates a submission written as YAML. Uses js-yaml's default (core) schema: plain
 * data only, no custom tags, and duplicate keys are errors rather than silently last-wins.
 */
export function parseSpecYaml(text: string): SpecResult {
  const fail = (message: string): SpecResult => ({
    ok: false,
    errors: [{ path: 'yaml', message }],
    warnings: [],
  });
  if (typeof text !== 'string') return fail('expected YAML text');
  const size = yamlSizeProblem(text);
  if (size) return fail(`too long: ${size} (a spec is a few lines)`);
  if (text.trim() === '' || isOnlyComments(text)) {
    return fail(
      'empty; paste the spec, starting with a line like `image: eu.gcr.io/my-project/my-model:1.0.3`',
    );
  }
  const loaded = loadYaml(text);
  return 'error' in loaded ? fail(loaded.error) : parseSpec(loaded.document);
}

/**
 * YAML text as plain data, or what makes it invalid YAML (line, column, a duplicated key
 * named). The one place spec YAML is parsed: the spec file and the modal's paste box.
 */
export function loadYaml(text: string): { document: unknown } | { error: string } {
  try {
    return { document: load(text) };
  } catch (error) {
    return { error: yamlErrorMessage(error, text) };
  }
}

/** Blank lines and `#` comments only: YAML that says nothing. */
export function isOnlyComments(text: string): boolean {
  return text.split(/\r?\n/).every((line) => /^\s*(#.*)?$/.test(line));
}

/** `invalid YAML at line 2, column 1: ...`, without js-yaml's multi-line snippet. */
function yamlErrorMessage(error: unknown, text: string): string {
  if (!(error instanceof Error)) return 'invalid YAML';
  const { reason, mark } = error as Error & {
    reason?: unknown;
    mark?: { line?: unknown; column?: unknown };
  };
  let what =
    typeof reason === 'string' && reason !== '' ? reason : (error.message.split('\n')[0] ?? '');
  if (!mark || typeof mark.line !== 'number' || typeof mark.column !== 'number') {
    return `invalid YAML: ${what}`;
  }
  if (what === 'duplicated mapping key') {
    // js-yaml does not name the key; it is the text at the mark, up to the colon.
    const line = text.split(/\r?\n/)[mark.line] ?? '';
    const key = /^\s*["']?([^"':]+)/.exec(line.slice(mark.column))?.[1]?.trim();
    what = key
      ? `${JSON.stringify(key)} is given twice; give each field once`
      : 'a key is given twice';
  }
  return `invalid YAML at line ${mark.line + 1}, column ${mark.column + 1}: ${what}`;
}
