import { z } from 'zod';
import { appEngineIdProblem, memoryProblem, readCpu, readDisk, readMemory } from './appengine.ts';
import { readDescription, readEmail, readOrganization, readTitle } from './describe.ts';
import { isUnpinned, parseDockerRef, UNPINNED_WARNING } from './docker-ref.ts';
import { checkKeys, SECTION_FIELDS, type Section, SPEC_DEFAULTS, SPEC_FIELDS } from './fields.ts';
import { readBacklog, readTimeout, readWorkers, workersWarning } from './gunicorn.ts';
import { joinPath, kindOf, type Report } from './issues.ts';
import { classNameProblem, modulePathProblem } from './python-names.ts';
import { readPadding, readZoom } from './tile.ts';
import type { SpecIssue, SubmissionSpec } from './types.ts';
import { isMapping, own, readText } from './values.ts';

/** Everything found in one pass: the spec when there were no errors, plus all issues. */
export interface Validation {
  spec: SubmissionSpec | undefined;
  errors: SpecIssue[];
  warnings: SpecIssue[];
}

const IMAGE_TEXT_MAX = 512; // name (255) + tag (128) + digest (71), with room to spare

/**
 * Validates a submission in one pass, collecting every error rather than stopping at the
 * first, so a partner fixes the whole form at once. Each field is read on its own, so a
 * bad PADDING never hides a bad image; the one cross-field rule (memory per CPU) runs
 * whenever both values are usable.
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

  const image = readImage(own(input, 'image'), at(errors, 'image'), at(warnings, 'image'));
  const service = readService(own(input, 'service'), at(errors, 'service'));
  const zoom = readZoom(own(input, 'ZOOM_LEVEL'), at(errors, 'ZOOM_LEVEL'));
  const padding = readPadding(own(input, 'PADDING'), at(errors, 'PADDING'));
  const predictorClass = readChecked(own(input, 'PREDICTOR_CLASS'), at(errors, 'PREDICTOR_CLASS'), {
    required: 'give the name of your predictor class, e.g. MyPredictor',
    check: classNameProblem,
  });
  const predictorPackage = readChecked(
    own(input, 'PREDICTOR_PACKAGE'),
    at(errors, 'PREDICTOR_PACKAGE'),
    {
      required: 'give the module your predictor class is imported from, e.g. my_package.my_module',
      check: modulePathProblem,
    },
  );

  const resources = readSection(input, 'resources', at(errors, 'resources'));
  const cpu = readCpu(own(resources, 'cpu'), at(errors, 'resources.cpu'));
  const memory = readMemory(own(resources, 'memory_gb'), at(errors, 'resources.memory_gb'));
  const disk = readDisk(own(resources, 'disk_size_gb'), at(errors, 'resources.disk_size_gb'));
  // The value the deploy will use: the given one if valid, the default if none was given.
  const cpuUsed = cpu ?? (given(own(resources, 'cpu')) ? undefined : SPEC_DEFAULTS.resources.cpu);
  const memoryDefaulted = !given(own(resources, 'memory_gb'));
  const memoryUsed = memory ?? (memoryDefaulted ? SPEC_DEFAULTS.resources.memory_gb : undefined);
  if (cpuUsed !== undefined && memoryUsed !== undefined) {
    const problem = memoryProblem(memoryUsed, cpuUsed, memoryDefaulted);
    if (problem) errors.push({ path: 'resources.memory_gb', message: problem });
  }

  const gunicorn = readSection(input, 'gunicorn', at(errors, 'gunicorn'));
  const workers = readWorkers(own(gunicorn, 'workers'), at(errors, 'gunicorn.workers'));
  const backlog = readBacklog(own(gunicorn, 'backlog'), at(errors, 'gunicorn.backlog'));
  const timeout = readTimeout(own(gunicorn, 'timeout'), at(errors, 'gunicorn.timeout'));
  const workersUsed =
    workers ?? (given(own(gunicorn, 'workers')) ? undefined : SPEC_DEFAULTS.gunicorn.workers);
  if (workersUsed !== undefined && cpuUsed !== undefined) {
    const warning = workersWarning(workersUsed, cpuUsed);
    if (warning) warnings.push({ path: 'gunicorn.workers', message: warning });
  }

  const describeIn = readSection(input, 'describe', at(errors, 'describe'));
  const describe: SubmissionSpec['describe'] = {};
  const title = readTitle(own(describeIn, 'title'), at(errors, 'describe.title'));
  const description = readDescription(
    own(describeIn, 'description'),
    at(errors, 'describe.description'),
  );
  const organization = readOrganization(
    own(describeIn, 'organization'),
    at(errors, 'describe.organization'),
  );
  const email = readEmail(own(describeIn, 'email'), at(errors, 'describe.email'));
  if (title !== undefined) describe.title = title;
  if (description !== undefined) describe.description = description;
  if (organization !== undefined) describe.organization = organization;
  if (email !== undefined) describe.email = email;

  if (errors.length > 0) return { spec: undefined, errors, warnings };
  // No errors means every required value was read; the checks keep the types honest.
  if (
    image === undefined ||
    service === undefined ||
    zoom === undefined ||
    padding === undefined ||
    predictorClass === undefined ||
    predictorPackage === undefined
  ) {
    throw new Error('spec validation passed without a required value');
  }
  const spec: SubmissionSpec = {
    image,
    service,
    ZOOM_LEVEL: zoom,
    PADDING: padding,
    PREDICTOR_CLASS: predictorClass,
    PREDICTOR_PACKAGE: predictorPackage,
    resources: {
      cpu: cpu ?? SPEC_DEFAULTS.resources.cpu,
      memory_gb: memory ?? SPEC_DEFAULTS.resources.memory_gb,
      disk_size_gb: disk ?? SPEC_DEFAULTS.resources.disk_size_gb,
    },
    gunicorn: {
      workers: workers ?? SPEC_DEFAULTS.gunicorn.workers,
      backlog: backlog ?? SPEC_DEFAULTS.gunicorn.backlog,
      timeout: timeout ?? SPEC_DEFAULTS.gunicorn.timeout,
    },
    describe,
  };
  return { spec, errors, warnings };
}

/** Whether a partner gave a value; blank text is what Slack sends for an untouched input. */
function given(value: unknown): boolean {
  return (
    value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')
  );
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

function readImage(value: unknown, report: Report, warn: Report): string | undefined {
  const text = readText(value, report, {
    required: 'give the Docker image to deploy, e.g. eu.gcr.io/my-project/my-model:1.0.3',
    max: IMAGE_TEXT_MAX,
  });
  if (text === undefined) return undefined;
  const ref = parseDockerRef(text);
  if (typeof ref === 'string') {
    report(ref);
    return undefined;
  }
  if (isUnpinned(ref)) warn(`${JSON.stringify(ref.reference)} ${UNPINNED_WARNING}`);
  return ref.reference;
}

function readService(value: unknown, report: Report): string | undefined {
  const text = readText(value, report, {
    required: 'give the App Engine service id, e.g. my-service',
    max: 1000, // the id rule says what is wrong with long ids (at most 63)
  });
  if (text === undefined) return undefined;
  const problem = appEngineIdProblem(text, 'service id');
  if (problem) {
    report(problem);
    return undefined;
  }
  return text;
}

function readChecked(
  value: unknown,
  report: Report,
  rule: { required: string; check: (text: string) => string | undefined },
): string | undefined {
  // The name checks carry their own length limits; this bound only stops absurd input early.
  const text = readText(value, report, { required: rule.required, max: 1000 });
  if (text === undefined) return undefined;
  const problem = rule.check(text);
  if (problem) {
    report(problem);
    return undefined;
  }
  return text;
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
