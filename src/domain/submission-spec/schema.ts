import { z } from 'zod';
import { memoryProblem } from './appengine.ts';
import {
  readField,
  SECTION_FIELDS,
  type Section,
  SPEC_CATALOGUE,
  SPEC_FIELDS,
  type SpecPath,
  topLevelKey,
} from './catalogue.ts';
import { workersWarning } from './gunicorn.ts';
import { joinPath, kindOf, type Report } from './issues.ts';
import { checkKeys } from './keys.ts';
import type { SpecIssue, SubmissionSpec } from './types.ts';
import { given, isMapping, own } from './values.ts';

/** Everything found in one pass: the spec when there were no errors, plus all issues. */
export interface Validation {
  spec: SubmissionSpec | undefined;
  errors: SpecIssue[];
  warnings: SpecIssue[];
}

/**
 * Validates a submission in one pass, collecting every error rather than stopping at the
 * first, so a partner fixes the whole form at once. Each field of the catalogue is read on
 * its own, so a bad PADDING never hides a bad image; the cross-field rules (memory per
 * CPU, workers per CPU) run whenever both values are usable.
 */
export function validateSpec(input: unknown): Validation {
  const errors: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const at =
    (list: SpecIssue[], parent: string): Report =>
    (message, path) =>
      list.push({ path: joinPath(parent, path), message });

  if (!isMapping(input)) {
    errors.push({
      path: '',
      message: `expected a mapping of fields like \`image: ...\`, got ${kindOf(input)}`,
    });
    return { spec: undefined, errors, warnings };
  }
  checkKeys(input, SPEC_FIELDS, undefined, at(errors, ''));

  const sections = new Map<string, Record<string, unknown>>();
  const raw = new Map<SpecPath, unknown>();
  // The values the deploy will use: the given one if valid, the default if none was given.
  const values = new Map<SpecPath, string | number>();
  for (const field of SPEC_CATALOGUE) {
    const key = topLevelKey(field.path);
    let value: unknown;
    if (key === field.path) {
      value = own(input, key);
    } else {
      const section = key as Section;
      let mapping = sections.get(section);
      if (mapping === undefined) {
        mapping = readSection(input, section, at(errors, section));
        sections.set(section, mapping);
      }
      value = own(mapping, field.path.slice(key.length + 1));
    }
    raw.set(field.path, value);
    const read = readField(field, value, at(errors, field.path), at(warnings, field.path));
    if (read !== undefined) values.set(field.path, read);
  }

  const cpu = values.get('resources.cpu');
  const memory = values.get('resources.memory_gb');
  if (typeof cpu === 'number' && typeof memory === 'number') {
    const problem = memoryProblem(memory, cpu, !given(raw.get('resources.memory_gb')));
    if (problem) errors.push({ path: 'resources.memory_gb', message: problem });
  }
  const workers = values.get('gunicorn.workers');
  if (typeof workers === 'number' && typeof cpu === 'number') {
    const warning = workersWarning(workers, cpu);
    if (warning) warnings.push({ path: 'gunicorn.workers', message: warning });
  }

  if (errors.length > 0) return { spec: undefined, errors, warnings };
  return { spec: assemble(values), errors, warnings };
}

/**
 * The spec from the values read. With no errors every required field has a value and
 * every optional section field its default (the catalogue covers each path of
 * SubmissionSpec with the right kind; its type checks that), so the shape is complete.
 */
function assemble(values: Map<SpecPath, string | number>): SubmissionSpec {
  const spec: Record<string, unknown> = {};
  for (const section of Object.keys(SECTION_FIELDS)) spec[section] = {};
  for (const [path, value] of values) {
    const [key, child] = path.split('.') as [string, string | undefined];
    if (child === undefined) spec[key] = value;
    else (spec[key] as Record<string, unknown>)[child] = value;
  }
  return spec as unknown as SubmissionSpec;
}

/** An optional section: absent or null means "all defaults"; unknown keys are errors. */
function readSection(
  input: Record<string, unknown>,
  section: Section,
  report: Report,
): Record<string, unknown> {
  const value = own(input, section);
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    const first = SECTION_FIELDS[section][0];
    report(`expected a mapping like \`${section}: {${first}: ...}\`, got ${kindOf(value)}`);
    return {};
  }
  checkKeys(value, SECTION_FIELDS[section], section, report);
  return value;
}

/**
 * The spec as a zod schema, for composing into other schemas (stored records, API bodies).
 * It wraps `validateSpec` instead of being built from zod objects because zod skips an
 * object's refinements once any child fails, which would hide the cross-field and
 * unknown-key errors; warnings have no place in zod and are dropped here (use parseSpec).
 */
export const specSchema: z.ZodType<SubmissionSpec, unknown> = z
  .unknown()
  .transform((input, ctx) => {
    const { spec, errors } = validateSpec(input);
    for (const error of errors) {
      ctx.addIssue({
        code: 'custom',
        message: error.message,
        path: error.path === '' ? [] : error.path.split('.'),
      });
    }
    return spec ?? z.NEVER;
  });
