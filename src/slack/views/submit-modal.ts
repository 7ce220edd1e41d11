// The submission modal: one input per spec field (block id = the spec path, action id
// `value`), a YAML paste box as a second way in, and the readers that turn Slack's
// `view.state.values` back into what `parseSpec` takes and spec issues into the
// `response_action: 'errors'` map.
import type { ViewStateValue } from '@slack/bolt';
import type { InputBlock, KnownBlock, ModalView, NumberInput, PlainTextInput } from '@slack/types';
import { load } from 'js-yaml';
import {
  formatIssue,
  memoryRange,
  parseSpecYaml,
  SPEC_DEFAULTS,
  type SpecIssue,
} from '../../domain/submission-spec/index.ts';
import { CALLBACK_ID, VALUE_ACTION_ID, YAML_BLOCK_ID } from './ids.ts';
import { context, fromMetadata, header, LIMITS, plain, stringOf, toMetadata } from './kit.ts';
import { truncate } from './mrkdwn.ts';

/** What the submit handler needs back from the modal. */
export interface SubmitMetadata {
  /** Set when resubmitting: the submission that gets a new revision. */
  id?: string;
  /** The revision the form was pre-filled from (the current one); submitting creates revision + 1. */
  revision?: number;
  /** Where the command was typed, for the confirmation. */
  channel?: string;
}

/** Any spec-shaped object: a validated SubmissionSpec, a previous revision's spec, or part of one. */
export interface SpecLike {
  image?: string;
  service?: string;
  ZOOM_LEVEL?: number | string;
  PADDING?: number | string;
  PREDICTOR_CLASS?: string;
  PREDICTOR_PACKAGE?: string;
  resources?: {
    cpu?: number | string;
    memory_gb?: number | string;
    disk_size_gb?: number | string;
  };
  gunicorn?: { workers?: number | string; backlog?: number | string; timeout?: number | string };
  describe?: { title?: string; description?: string; organization?: string; email?: string };
}

type FieldKind = 'text' | 'multiline' | 'integer' | 'decimal';

export interface FormField {
  /** Spec path and block id: `PADDING`, `resources.cpu`. */
  path: string;
  label: string;
  hint: string;
  kind: FieldKind;
  /** Required by the spec (the form itself leaves every input optional; see `submitModal`). */
  required: boolean;
  placeholder?: string;
  /** Bounds for number inputs, the same as the spec's (a test keeps them in step). */
  min?: number;
  max?: number;
  /** Character limit for text inputs, the same as the spec's. */
  maxLength?: number;
  /** Section heading shown above the first field of a group. */
  group?: string;
}

// App Engine flexible's largest instance; the spec's CPU rule has the same bound.
const CPU_MAX = 80;

const REQUIRED = 'Required (here or in the YAML box at the bottom).';

/** Every form field, in display order. Block ids are the spec paths. */
export const SUBMIT_FIELDS: readonly FormField[] = Object.freeze([
  {
    path: 'image',
    group: 'Model',
    label: 'Docker image',
    kind: 'text',
    required: true,
    placeholder: 'eu.gcr.io/my-project/my_service:1.0.3',
    maxLength: 512,
    hint: `${REQUIRED} Where we pull your model from: a public Docker Hub or GCR image. Pin a version tag (:1.0.3) or a digest (@sha256:…); a moving tag like latest can change under the deployed service.`,
  },
  {
    path: 'service',
    label: 'Service name',
    kind: 'text',
    required: true,
    placeholder: 'my-service',
    maxLength: 63,
    hint: `${REQUIRED} The App Engine service your model runs as, and part of its URL: lowercase letters, digits and hyphens, at most 63 characters, e.g. building-detection.`,
  },
  {
    path: 'PREDICTOR_CLASS',
    label: 'Predictor class',
    kind: 'text',
    required: true,
    placeholder: 'MyPredictor',
    hint: `${REQUIRED} The name of your class, exactly as in your code. The Playground creates one instance at start and calls its predict(tile) for every request.`,
  },
  {
    path: 'PREDICTOR_PACKAGE',
    label: 'Predictor package',
    kind: 'text',
    required: true,
    placeholder: 'my_package.my_module',
    hint: `${REQUIRED} The Python module holding your class: my_package, or my_package.my_module if the class isn't importable from the package itself.`,
  },
  {
    path: 'ZOOM_LEVEL',
    group: 'Tiles',
    label: 'Zoom level',
    kind: 'integer',
    required: true,
    min: 0,
    max: 22,
    placeholder: '16',
    hint: `${REQUIRED} The Web Mercator zoom level your model was trained for, 0 to 22. Zoom 16 is about 2.4 m per pixel at the equator; each step up halves the pixel size.`,
  },
  {
    path: 'PADDING',
    label: 'Padding (pixels)',
    kind: 'integer',
    required: true,
    min: 0,
    max: 256,
    placeholder: '24',
    hint: `${REQUIRED} Extra pixels of context around each 256 px tile, on every side: with 24 your model receives 304 × 304 px images. 0 to 256.`,
  },
  {
    path: 'resources.cpu',
    group: 'Resources (App Engine flexible)',
    label: 'CPUs',
    kind: 'integer',
    required: false,
    min: 1,
    max: CPU_MAX,
    hint: 'Default 4. App Engine offers 1, an even number up to 32, or a multiple of 4 from 32 to 80.',
  },
  {
    path: 'resources.memory_gb',
    label: 'Memory (GB)',
    kind: 'decimal',
    required: false,
    min: memoryRange(1).min / 100,
    max: memoryRange(CPU_MAX).max / 100,
    hint: 'Default 3.2. App Engine allows 0.9 to 6.5 GB per CPU, minus 0.4 GB for the system: with 4 CPUs, 3.2 to 25.6.',
  },
  {
    path: 'resources.disk_size_gb',
    label: 'Disk (GB)',
    kind: 'integer',
    required: false,
    min: 10,
    max: 10240,
    hint: 'Default 10, in whole GB up to 10240. Raise it if your image or model weights are large.',
  },
  {
    path: 'gunicorn.workers',
    group: 'Web server (gunicorn)',
    label: 'Workers',
    kind: 'integer',
    required: false,
    min: 1,
    max: 64,
    hint: 'Default 2. Processes serving requests in parallel; each loads its own copy of your model, so memory use grows with every worker.',
  },
  {
    path: 'gunicorn.backlog',
    label: 'Backlog',
    kind: 'integer',
    required: false,
    min: 1,
    max: 2048,
    hint: 'Default 6. How many requests may wait for a free worker before new ones are turned away (the Playground retries them).',
  },
  {
    path: 'gunicorn.timeout',
    label: 'Timeout (seconds)',
    kind: 'integer',
    required: false,
    min: 1,
    max: 3600,
    hint: 'Default 60. How long one request may take before its worker is restarted; raise it if a single tile takes your model longer.',
  },
  {
    path: 'describe.title',
    group: 'Description (shown in the Playground)',
    label: 'Title',
    kind: 'text',
    required: false,
    maxLength: 100,
    placeholder: 'Building footprint detection',
    hint: 'A short name for your service in the Playground catalogue.',
  },
  {
    path: 'describe.description',
    label: 'Description',
    kind: 'multiline',
    required: false,
    maxLength: 2000,
    hint: 'What the model detects, on which imagery and resolution, and anything users should know about its results.',
  },
  {
    path: 'describe.organization',
    label: 'Organization',
    kind: 'text',
    required: false,
    maxLength: 100,
    hint: 'Who built the model, as it should appear in the Playground.',
  },
  {
    path: 'describe.email',
    label: 'Contact email',
    kind: 'text',
    required: false,
    maxLength: 254,
    placeholder: 'name@example.com',
    hint: 'Who to contact about this service.',
  },
] satisfies FormField[]);

/** Block ids of every form field (the spec paths), plus `yaml`. */
export const SUBMIT_BLOCK_IDS: ReadonlySet<string> = new Set([
  ...SUBMIT_FIELDS.map((f) => f.path),
  YAML_BLOCK_ID,
]);

const DEFAULTS: SpecLike = {
  resources: { ...SPEC_DEFAULTS.resources },
  gunicorn: { ...SPEC_DEFAULTS.gunicorn },
};

/**
 * The submit modal, empty with the seed's defaults for a new submission, or pre-filled
 * from `initial` (the last revision's spec) for a resubmission (`metadata.id` set).
 *
 * Every input is optional as far as Slack is concerned: a partner may leave the form
 * empty and paste all their settings as YAML, so required fields are enforced by the
 * spec on submit (errors land on the field) and say "Required" in their help text.
 */
export function submitModal(options: { initial?: SpecLike; metadata: SubmitMetadata }): ModalView {
  const { metadata } = options;
  const initial = options.initial ?? DEFAULTS;
  const resubmit = metadata.id !== undefined;
  const blocks: KnownBlock[] = [];

  if (resubmit) {
    const next = (metadata.revision ?? 0) + 1;
    blocks.push(
      context(
        `:repeat: This creates *revision ${next}* of *${metadata.id}*, reviewed in the same thread. Your last values are filled in: change what the Playground team asked for and submit.`,
      ),
    );
  } else {
    blocks.push(
      context(
        'Fill in the form, or paste your settings as YAML in the box at the bottom. The Playground team reviews every submission before it is deployed.',
      ),
    );
  }

  for (const field of SUBMIT_FIELDS) {
    if (field.group) blocks.push(header(field.group));
    blocks.push(inputBlock(field, valueAt(initial, field.path) ?? valueAt(DEFAULTS, field.path)));
  }

  blocks.push(header('Or paste your settings'));
  blocks.push({
    type: 'input',
    block_id: YAML_BLOCK_ID,
    optional: true,
    label: plain('Settings as YAML', LIMITS.label),
    hint: plain(
      'Same keys as the seed document, e.g. "PADDING: 24" or "resources: {cpu: 8, memory_gb: 7.2}". Pasted values fill or override the form: where both give a value, the YAML wins.',
      LIMITS.hint,
    ),
    element: {
      type: 'plain_text_input',
      action_id: VALUE_ACTION_ID,
      multiline: true,
      max_length: 3000,
      placeholder: plain(
        'image: eu.gcr.io/my-project/my_service:1.0.3\nservice: my-service',
        LIMITS.placeholder,
      ),
    },
  });

  return {
    type: 'modal',
    callback_id: CALLBACK_ID.submit,
    title: plain(resubmit ? `Resubmit ${metadata.id}` : 'Deploy a model', LIMITS.modalTitle),
    submit: plain(resubmit ? 'Resubmit' : 'Submit', LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: toMetadata({ ...metadata }),
    blocks,
  };
}

/** Reads the modal's private_metadata back; unknown or malformed fields are dropped. */
export function parseSubmitMetadata(text: string | undefined): SubmitMetadata {
  const raw = fromMetadata(text);
  const metadata: SubmitMetadata = {};
  const id = stringOf(raw, 'id');
  const channel = stringOf(raw, 'channel');
  if (id !== undefined) metadata.id = id;
  if (typeof raw.revision === 'number' && Number.isInteger(raw.revision))
    metadata.revision = raw.revision;
  if (channel !== undefined) metadata.channel = channel;
  return metadata;
}

function inputBlock(field: FormField, initial: unknown): InputBlock {
  const shown = initialText(initial);
  let element: NumberInput | PlainTextInput;
  if (field.kind === 'integer' || field.kind === 'decimal') {
    element = {
      type: 'number_input',
      action_id: VALUE_ACTION_ID,
      is_decimal_allowed: field.kind === 'decimal',
    };
    if (field.min !== undefined) element.min_value = String(field.min);
    if (field.max !== undefined) element.max_value = String(field.max);
    // Slack refuses a view whose initial value breaks the input's own rules.
    if (shown !== undefined && numberFits(shown, field)) element.initial_value = shown;
  } else {
    element = { type: 'plain_text_input', action_id: VALUE_ACTION_ID };
    if (field.kind === 'multiline') element.multiline = true;
    if (field.maxLength !== undefined) element.max_length = field.maxLength;
    if (
      shown !== undefined &&
      (field.maxLength === undefined || [...shown].length <= field.maxLength)
    ) {
      element.initial_value = shown;
    }
  }
  if (field.placeholder) element.placeholder = plain(field.placeholder, LIMITS.placeholder);
  return {
    type: 'input',
    block_id: field.path,
    optional: true,
    label: plain(field.label, LIMITS.label),
    hint: plain(field.hint, LIMITS.hint),
    element,
  };
}

function initialText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return truncate(value, 3000);
  return undefined;
}

function numberFits(text: string, field: FormField): boolean {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return false;
  const n = Number(text);
  if (field.kind === 'integer' && !Number.isInteger(n)) return false;
  return (field.min === undefined || n >= field.min) && (field.max === undefined || n <= field.max);
}

function valueAt(source: unknown, path: string): unknown {
  let current: unknown = source;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key))
      return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export type SubmitFormResult =
  | { input: Record<string, unknown>; fromYaml: Set<string> }
  | { yamlError: string };

/**
 * Turns the submitted form into the object `parseSpec` takes: nested sections, numbers as
 * the text Slack sends, empty fields left out so the defaults (or a "missing" error)
 * apply. A non-empty YAML box is parsed like a spec file and merged over the form, key by
 * key inside sections; `fromYaml` lists the keys it set (`PADDING`, `resources`,
 * `resources.cpu`) so errors about them can point at the YAML box.
 */
export function readSubmitForm(
  values: Record<string, Record<string, ViewStateValue>>,
): SubmitFormResult {
  const input: Record<string, unknown> = {};
  for (const field of SUBMIT_FIELDS) {
    const value = stateValue(values, field.path);
    if (value === undefined) continue;
    const [first, second] = field.path.split('.') as [string, string | undefined];
    if (second === undefined) {
      setOwn(input, first, value);
    } else {
      const section = Object.hasOwn(input, first) ? (input[first] as Record<string, unknown>) : {};
      setOwn(section, second, value);
      setOwn(input, first, section);
    }
  }

  const fromYaml = new Set<string>();
  const text = stateValue(values, YAML_BLOCK_ID);
  if (text === undefined || onlyComments(text)) return { input, fromYaml };

  let pasted: unknown;
  try {
    pasted = load(text);
  } catch (error) {
    return { yamlError: yamlSyntaxMessage(text, error) };
  }
  if (pasted === null || pasted === undefined) return { input, fromYaml };
  if (!isPlainObject(pasted)) {
    const got = Array.isArray(pasted)
      ? 'a list'
      : `just ${JSON.stringify(truncate(String(pasted), 40))}`;
    return {
      yamlError: `expected settings as "key: value" lines (e.g. "PADDING: 24"), got ${got}`,
    };
  }

  for (const key of Object.keys(pasted)) {
    const value = pasted[key];
    // An empty value (`resources:` or `title:`) says nothing; it neither fills nor clears.
    if (value === null || value === undefined) continue;
    const current = Object.hasOwn(input, key) ? input[key] : undefined;
    if (isPlainObject(value) && (current === undefined || isPlainObject(current))) {
      const merged: Record<string, unknown> = current ? { ...current } : {};
      for (const child of Object.keys(value)) {
        if (value[child] === null || value[child] === undefined) continue;
        setOwn(merged, child, value[child]);
        fromYaml.add(`${key}.${child}`);
      }
      setOwn(input, key, merged);
    } else {
      setOwn(input, key, value);
    }
    fromYaml.add(key);
  }
  return { input, fromYaml };
}

/** Text of one input, or undefined when empty. Works for text, number and select inputs. */
function stateValue(
  values: Record<string, Record<string, ViewStateValue>>,
  blockId: string,
): string | undefined {
  const state = Object.hasOwn(values, blockId) ? values[blockId]?.[VALUE_ACTION_ID] : undefined;
  if (!state) return undefined;
  const raw: unknown = state.value ?? state.selected_option?.value;
  if (typeof raw === 'number') return String(raw);
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  return raw;
}

function onlyComments(text: string): boolean {
  return text.split(/\r?\n/).every((line) => /^\s*(#.*)?$/.test(line));
}

/** The spec's own wording for a YAML syntax error (line, column, duplicated key named). */
function yamlSyntaxMessage(text: string, error: unknown): string {
  const result = parseSpecYaml(text);
  const issue = result.ok ? undefined : result.errors.find((e) => e.path === 'yaml');
  if (issue) return issue.message;
  const first = error instanceof Error ? (error.message.split('\n')[0] ?? '') : '';
  return `invalid YAML${first ? `: ${first}` : ''}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Sets an own property, even for keys like `__proto__` (which plain assignment would not). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Slack shows one error string per block; more than this is cut with "and N more". */
export const BLOCK_ERROR_MAX = 2000;

/**
 * The `response_action: 'errors'` map for spec issues. An issue goes to the input of its
 * field, unless that value came from the pasted YAML: then it goes to the YAML box, named
 * (`PADDING: 300 is more than ...`). Issues with no input of their own (YAML syntax,
 * unknown keys such as `PADING`, whole-document problems) also go to the YAML box.
 */
export function blockErrors(issues: SpecIssue[], fromYaml: Set<string>): Record<string, string> {
  const grouped = new Map<string, string[]>();
  for (const issue of issues) {
    const onField =
      SUBMIT_BLOCK_IDS.has(issue.path) && issue.path !== YAML_BLOCK_ID && !fromYaml.has(issue.path);
    const block = onField ? issue.path : YAML_BLOCK_ID;
    // Field messages start lowercase and read on their own under the input; in the YAML
    // box they are prefixed with the key they are about.
    const text =
      onField || issue.path === YAML_BLOCK_ID || issue.path === ''
        ? capitalize(issue.message)
        : formatIssue(issue);
    const list = grouped.get(block) ?? [];
    list.push(text);
    grouped.set(block, list);
  }
  const errors: Record<string, string> = {};
  for (const [block, messages] of grouped) errors[block] = joinMessages(messages);
  return errors;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function joinMessages(messages: string[]): string {
  let joined = '';
  for (let i = 0; i < messages.length; i++) {
    const next = joined === '' ? (messages[i] ?? '') : `${joined}\n${messages[i]}`;
    const rest = messages.length - i - 1;
    const more = rest > 0 ? `\n…and ${rest} more` : '';
    if ([...next].length + more.length > BLOCK_ERROR_MAX) {
      const left = messages.length - i;
      return joined === ''
        ? truncate(messages[0] ?? '', BLOCK_ERROR_MAX)
        : `${joined}\n…and ${left} more`;
    }
    joined = next;
  }
  return joined;
}
