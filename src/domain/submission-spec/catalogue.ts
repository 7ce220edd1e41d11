// The catalogue of spec fields: for each field its path, kind, bounds, default, whether
// it is required, and the words a form shows for it. Validation (schema.ts) reads every
// field through it, and the Slack submit modal draws its inputs from it, so a bound or a
// default changes in one place and the form and the error messages follow.
import {
  appEngineIdProblem,
  CPU_COUNTS,
  CPU_RULE,
  cpuProblem,
  DISK_RULE,
  ID_MAX,
  MEMORY_PER_CPU,
  MEMORY_RULE,
  memoryRange,
} from './appengine.ts';
import {
  DESCRIPTION_MAX,
  EMAIL_MAX,
  emailProblem,
  ORGANIZATION_MAX,
  TITLE_MAX,
} from './describe.ts';
import { isUnpinned, parseDockerRef, UNPINNED_WARNING } from './docker-ref.ts';
import { BACKLOG_RULE, TIMEOUT_RULE, WORKERS_RULE } from './gunicorn.ts';
import { hundredths, type Report } from './issues.ts';
import {
  CLASS_NAME_MAX,
  classNameProblem,
  MODULE_PATH_MAX,
  modulePathProblem,
} from './python-names.ts';
import { PADDING_RULE, ZOOM_RULE } from './tile.ts';
import type { SubmissionSpec } from './types.ts';
import { given, type NumberRule, readNumber, readText } from './values.ts';

type Leaf<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends string | number
    ? K
    : `${K}.${keyof NonNullable<T[K]> & string}`;
}[keyof T & string];

/** A field's place in the spec, as errors and form block ids name it: `PADDING`, `resources.cpu`. */
export type SpecPath = Leaf<SubmissionSpec>;

type ValueAt<P extends SpecPath> = P extends `${infer S extends keyof SubmissionSpec}.${infer K}`
  ? NonNullable<SubmissionSpec[S][K & keyof SubmissionSpec[S]]>
  : SubmissionSpec[P & keyof SubmissionSpec];

/** What a person sees of a field in a form. */
interface Wording {
  label: string;
  /** What the field is for, in the partner's terms (forms add "required" or the default). */
  help: string;
  placeholder?: string;
}

interface TextField extends Wording {
  kind: 'text';
  path: SpecPath;
  /** Set for required fields: what to ask for when the value is missing or empty. */
  required?: string;
  /** The longest value accepted, in characters; a form's input holds no more. */
  maxLength: number;
  /** Allows line breaks and tabs (the description); every other field is one line. */
  multiline?: boolean;
  /**
   * The field's own rule, run on the trimmed text once length and characters are fine:
   * returns the value to keep (normalised), or reports the problem and returns undefined.
   */
  refine?: (text: string, report: Report, warn: Report) => string | undefined;
  /**
   * `refine` says what is wrong with an over-long value in its own words ("a service id
   * is at most 63"), so the common length check only stops absurd input.
   */
  lengthInRule?: boolean;
}

interface NumberField extends Wording {
  kind: 'number';
  path: SpecPath;
  /** Bounds, whole or decimal, and whether the field is required. */
  rule: NumberRule;
  /** What the spec holds when the partner gives nothing. */
  default?: number;
  /** A rule beyond the bounds (the CPU counts App Engine offers): the problem, if any. */
  check?: (value: number) => string | undefined;
}

export type SpecField = TextField | NumberField;

type Entry<P extends SpecPath> = Omit<ValueAt<P> extends number ? NumberField : TextField, 'path'>;

/** The values the seed's wrapper has always used when a partner says nothing. */
export const SPEC_DEFAULTS: {
  readonly resources: {
    readonly cpu: number;
    readonly memory_gb: number;
    readonly disk_size_gb: number;
  };
  readonly gunicorn: {
    readonly workers: number;
    readonly backlog: number;
    readonly timeout: number;
  };
} = Object.freeze({
  resources: Object.freeze({ cpu: 4, memory_gb: 3.2, disk_size_gb: 10 }),
  gunicorn: Object.freeze({ workers: 2, backlog: 6, timeout: 60 }),
});

const IMAGE_TEXT_MAX = 512; // name (255) + tag (128) + digest (71), with room to spare

// Fields whose rule words the length itself are read up to this, so absurd input stops
// early and the rule's own message covers the rest.
const ABSURD_TEXT = 1000;

function normaliseImage(text: string, report: Report, warn: Report): string | undefined {
  const ref = parseDockerRef(text);
  if (typeof ref === 'string') {
    report(ref);
    return undefined;
  }
  if (isUnpinned(ref)) warn(`${JSON.stringify(ref.reference)} ${UNPINNED_WARNING}`);
  return ref.reference;
}

/** A `refine` that keeps the text unless `problem` finds something wrong with it. */
function rejecting(problem: (text: string) => string | undefined): TextField['refine'] {
  return (text, report) => {
    const found = problem(text);
    if (found === undefined) return text;
    report(found);
    return undefined;
  };
}

const range = (rule: NumberRule) => `${rule.min} to ${rule.max}`;
const defaultMemory = memoryRange(SPEC_DEFAULTS.resources.cpu);

// In the order of the seed's spec document; error lists follow it.
const FIELDS: { [P in SpecPath]: Entry<P> } = {
  image: {
    kind: 'text',
    label: 'Docker image',
    placeholder: 'eu.gcr.io/my-project/my_service:1.0.3',
    help: 'Where we pull your model from: a public Docker Hub or GCR image. Pin a version tag (:1.0.3) or a digest (@sha256:…); a moving tag like latest can change under the deployed service.',
    required: 'give the Docker image to deploy, e.g. eu.gcr.io/my-project/my-model:1.0.3',
    maxLength: IMAGE_TEXT_MAX,
    refine: normaliseImage,
  },
  service: {
    kind: 'text',
    label: 'Service name',
    placeholder: 'my-service',
    help: `The App Engine service your model runs as, and part of its URL: lowercase letters, digits and hyphens, at most ${ID_MAX} characters, e.g. building-detection.`,
    required: 'give the App Engine service id, e.g. my-service',
    maxLength: ID_MAX,
    refine: rejecting((id) => appEngineIdProblem(id, 'service id')),
    lengthInRule: true,
  },
  ZOOM_LEVEL: {
    kind: 'number',
    label: 'Zoom level',
    placeholder: '16',
    help: `The Web Mercator zoom level your model was trained for, ${range(ZOOM_RULE)}. Zoom 16 is about 2.4 m per pixel at the equator; each step up halves the pixel size.`,
    rule: ZOOM_RULE,
  },
  PADDING: {
    kind: 'number',
    label: 'Padding (pixels)',
    placeholder: '24',
    help: `Extra pixels of context around each 256 px tile, on every side: with 24 your model receives 304 × 304 px images. ${range(PADDING_RULE)}.`,
    rule: PADDING_RULE,
  },
  PREDICTOR_CLASS: {
    kind: 'text',
    label: 'Predictor class',
    placeholder: 'MyPredictor',
    help: 'The name of your class, exactly as in your code. The Playground creates one instance at start and calls its predict(tile) for every request.',
    required: 'give the name of your predictor class, e.g. MyPredictor',
    maxLength: CLASS_NAME_MAX,
    refine: rejecting(classNameProblem),
    lengthInRule: true,
  },
  PREDICTOR_PACKAGE: {
    kind: 'text',
    label: 'Predictor package',
    placeholder: 'my_package.my_module',
    help: "The Python module holding your class: my_package, or my_package.my_module if the class isn't importable from the package itself.",
    required: 'give the module your predictor class is imported from, e.g. my_package.my_module',
    maxLength: MODULE_PATH_MAX,
    refine: rejecting(modulePathProblem),
    lengthInRule: true,
  },
  'resources.cpu': {
    kind: 'number',
    label: 'CPUs',
    help: `App Engine offers ${CPU_COUNTS}.`,
    rule: CPU_RULE,
    default: SPEC_DEFAULTS.resources.cpu,
    check: cpuProblem,
  },
  'resources.memory_gb': {
    kind: 'number',
    label: 'Memory (GB)',
    help: `App Engine allows ${MEMORY_PER_CPU}: with ${SPEC_DEFAULTS.resources.cpu} CPUs, ${hundredths(defaultMemory.min)} to ${hundredths(defaultMemory.max)}.`,
    rule: MEMORY_RULE,
    default: SPEC_DEFAULTS.resources.memory_gb,
  },
  'resources.disk_size_gb': {
    kind: 'number',
    label: 'Disk (GB)',
    help: `In whole GB, up to ${DISK_RULE.max}. Raise it if your image or model weights are large.`,
    rule: DISK_RULE,
    default: SPEC_DEFAULTS.resources.disk_size_gb,
  },
  'gunicorn.workers': {
    kind: 'number',
    label: 'Workers',
    help: 'Processes serving requests in parallel; each loads its own copy of your model, so memory use grows with every worker.',
    rule: WORKERS_RULE,
    default: SPEC_DEFAULTS.gunicorn.workers,
  },
  'gunicorn.backlog': {
    kind: 'number',
    label: 'Backlog',
    help: 'How many requests may wait for a free worker before new ones are turned away (the Playground retries them).',
    rule: BACKLOG_RULE,
    default: SPEC_DEFAULTS.gunicorn.backlog,
  },
  'gunicorn.timeout': {
    kind: 'number',
    label: 'Timeout (seconds)',
    help: 'How long one request may take before its worker is restarted; raise it if a single tile takes your model longer.',
    rule: TIMEOUT_RULE,
    default: SPEC_DEFAULTS.gunicorn.timeout,
  },
  'describe.title': {
    kind: 'text',
    label: 'Title',
    placeholder: 'Building footprint detection',
    help: 'A short name for your service in the Playground catalogue.',
    maxLength: TITLE_MAX,
  },
  'describe.description': {
    kind: 'text',
    label: 'Description',
    help: 'What the model detects, on which imagery and resolution, and anything users should know about its results.',
    maxLength: DESCRIPTION_MAX,
    multiline: true,
  },
  'describe.organization': {
    kind: 'text',
    label: 'Organization',
    help: 'Who built the model, as it should appear in the Playground.',
    maxLength: ORGANIZATION_MAX,
  },
  'describe.email': {
    kind: 'text',
    label: 'Contact email',
    placeholder: 'name@example.com',
    help: 'Who to contact about this service.',
    maxLength: EMAIL_MAX,
    refine: rejecting(emailProblem),
  },
};

/** Every spec field, in the order of the seed's spec document. */
export const SPEC_CATALOGUE: readonly SpecField[] = Object.freeze(
  Object.entries(FIELDS).map(([path, entry]) =>
    Object.freeze({ path: path as SpecPath, ...(entry as Omit<SpecField, 'path'>) } as SpecField),
  ),
);

/** The part of a path before the dot: the top-level key (`resources` for `resources.cpu`). */
export function topLevelKey(path: SpecPath): string {
  return path.split('.')[0] ?? path;
}

/** Top-level spec keys, in the order of the seed's spec document. */
export const SPEC_FIELDS: readonly string[] = Object.freeze([
  ...new Set(SPEC_CATALOGUE.map((field) => topLevelKey(field.path))),
]);

/** The nested sections: `resources`, `gunicorn`, `describe`. */
export type Section = { [P in SpecPath]: P extends `${infer S}.${string}` ? S : never }[SpecPath];

/** The keys of each nested section, in catalogue order. */
export const SECTION_FIELDS: Readonly<Record<Section, readonly string[]>> = Object.freeze({
  resources: keysUnder('resources'),
  gunicorn: keysUnder('gunicorn'),
  describe: keysUnder('describe'),
});

function keysUnder(section: Section): readonly string[] {
  const prefix = `${section}.`;
  return Object.freeze(
    SPEC_CATALOGUE.filter((f) => f.path.startsWith(prefix)).map((f) => f.path.slice(prefix.length)),
  );
}

/** A required field reports a missing value; an optional one takes its default, if any. */
export function isRequired(field: SpecField): boolean {
  return field.kind === 'text' ? field.required !== undefined : field.rule.required === true;
}

/**
 * Reads one field's value as the catalogue describes it: the default when none was given,
 * undefined when absent without a default, or invalid (then reported).
 */
export function readField(
  field: SpecField,
  value: unknown,
  report: Report,
  warn: Report,
): string | number | undefined {
  if (field.kind === 'number') {
    if (field.default !== undefined && !given(value)) return field.default;
    const number = readNumber(value, report, field.rule);
    const problem = number === undefined ? undefined : field.check?.(number);
    if (problem === undefined) return number;
    report(problem);
    return undefined;
  }
  const text = readText(value, report, {
    max: field.lengthInRule ? ABSURD_TEXT : field.maxLength,
    required: field.required,
    multiline: field.multiline,
  });
  if (text === undefined || field.refine === undefined) return text;
  return field.refine(text, report, warn);
}
