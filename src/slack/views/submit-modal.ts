// The submission modal: one input per spec field (block id = the spec path, action id
// `value`), a YAML paste box as a second way in, and the readers that turn Slack's
// `view.state.values` back into what `parseSpec` takes and spec issues into the
// `response_action: 'errors'` map.
import type { ViewStateValue } from '@slack/bolt';
import type { InputBlock, KnownBlock, ModalView, NumberInput, PlainTextInput } from '@slack/types';
import {
  formatIssue,
  isMapping,
  isOnlyComments,
  isRequired,
  loadYaml,
  type SECTION_FIELDS,
  SPEC_CATALOGUE,
  type SpecField,
  type SpecIssue,
  type SpecPath,
  type SubmissionSpec,
  yamlSizeProblem,
} from '../../domain/submission-spec/index.ts';
import { CALLBACK_ID, VALUE_ACTION_ID, YAML_BLOCK_ID } from './ids.ts';
import { overLongInputs, SLACK_TEXT_INPUT_MAX, type TextLimit } from './input-limits.ts';
import { context, fromMetadata, header, LIMITS, plain, stringOf, toMetadata } from './kit.ts';
import { capitalize, truncate } from './mrkdwn.ts';

/** What the submit handler needs back from the modal. */
export interface SubmitMetadata {
  /** Set when resubmitting: the submission that gets a new revision. */
  id?: string;
  /** The revision the form was pre-filled from (the current one); submitting creates revision + 1. */
  revision?: number;
  /** Where the command was typed, for the confirmation. */
  channel?: string;
}

type Loose<T> = {
  [K in keyof T]?: NonNullable<T[K]> extends number
    ? number | string
    : NonNullable<T[K]> extends string
      ? string
      : Loose<NonNullable<T[K]>>;
};

/** Any spec-shaped object: a validated SubmissionSpec, a previous revision's spec, or part of one. */
export type SpecLike = Loose<SubmissionSpec>;

const REQUIRED = 'Required (here or in the YAML box at the bottom).';

/** Fields of one spec section, in catalogue order. */
function section(name: keyof typeof SECTION_FIELDS): SpecField[] {
  return SPEC_CATALOGUE.filter((field) => field.path.startsWith(`${name}.`));
}

function fields(...paths: SpecPath[]): SpecField[] {
  return paths.map((path) => {
    const field = SPEC_CATALOGUE.find((candidate) => candidate.path === path);
    if (!field) throw new Error(`no spec field ${path}`);
    return field;
  });
}

// The modal's layout: which catalogue fields go under which heading. Everything else
// about an input (kind, bounds, default, label, help) comes from the catalogue.
const GROUPS: readonly { heading: string; fields: readonly SpecField[] }[] = [
  { heading: 'Model', fields: fields('image', 'service', 'PREDICTOR_CLASS', 'PREDICTOR_PACKAGE') },
  { heading: 'Tiles', fields: fields('ZOOM_LEVEL', 'PADDING') },
  { heading: 'Resources (App Engine flexible)', fields: section('resources') },
  { heading: 'Web server (gunicorn)', fields: section('gunicorn') },
  { heading: 'Description (shown in the Playground)', fields: section('describe') },
];

/** Block ids of every form field (the spec paths), plus `yaml`. */
const SUBMIT_BLOCK_IDS: ReadonlySet<string> = new Set([
  ...SPEC_CATALOGUE.map((field) => field.path),
  YAML_BLOCK_ID,
]);

const YAML_LABEL = 'Settings as YAML';

/**
 * Slack documents no length for a number_input; no number a field takes needs more than
 * a few characters, so anything past this is not one.
 */
const NUMBER_TEXT_MAX = 100;

/**
 * The most the modal's reader takes of each input: a text field its max_length (the
 * catalogue's), the YAML box the spec's 64 KiB and then Slack's own 3,000 characters.
 */
export const SUBMIT_LIMITS: Readonly<Record<string, TextLimit>> = Object.freeze({
  ...Object.fromEntries(
    SPEC_CATALOGUE.map((field): [string, TextLimit] => [
      field.path,
      {
        label: field.label,
        characters: field.kind === 'text' ? field.maxLength : NUMBER_TEXT_MAX,
      },
    ]),
  ),
  [YAML_BLOCK_ID]: { label: YAML_LABEL, characters: SLACK_TEXT_INPUT_MAX, rule: yamlSizeProblem },
});

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
  const initial = options.initial ?? {};
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

  for (const group of GROUPS) {
    blocks.push(header(group.heading));
    for (const field of group.fields) {
      const value =
        valueAt(initial, field.path) ?? (field.kind === 'number' ? field.default : undefined);
      blocks.push(inputBlock(field, value));
    }
  }

  blocks.push(header('Or paste your settings'));
  blocks.push({
    type: 'input',
    block_id: YAML_BLOCK_ID,
    optional: true,
    label: plain(YAML_LABEL, LIMITS.label),
    hint: plain(
      `Same keys as the seed document, e.g. "PADDING: 24" or "resources: {cpu: 8, memory_gb: 7.2}". Pasted values fill or override the form: where both give a value, the YAML wins. Slack lets this box hold ${SLACK_TEXT_INPUT_MAX.toLocaleString('en-US')} characters: a long description goes in its own field above.`,
      LIMITS.hint,
    ),
    element: {
      type: 'plain_text_input',
      action_id: VALUE_ACTION_ID,
      multiline: true,
      max_length: SLACK_TEXT_INPUT_MAX,
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

function inputBlock(field: SpecField, initial: unknown): InputBlock {
  const shown = initialText(initial);
  let element: NumberInput | PlainTextInput;
  if (field.kind === 'number') {
    const { min, max, whole } = field.rule;
    element = {
      type: 'number_input',
      action_id: VALUE_ACTION_ID,
      is_decimal_allowed: !whole,
      min_value: String(min),
      max_value: String(max),
    };
    // Slack refuses a view whose initial value breaks the input's own rules.
    if (shown !== undefined && numberFits(shown, field.rule)) element.initial_value = shown;
  } else {
    element = { type: 'plain_text_input', action_id: VALUE_ACTION_ID, max_length: field.maxLength };
    if (field.multiline) element.multiline = true;
    if (shown !== undefined && [...shown].length <= field.maxLength) element.initial_value = shown;
  }
  if (field.placeholder) element.placeholder = plain(field.placeholder, LIMITS.placeholder);
  return {
    type: 'input',
    block_id: field.path,
    optional: true,
    label: plain(field.label, LIMITS.label),
    hint: plain(hintOf(field), LIMITS.hint),
    element,
  };
}

/** The catalogue's help, after what the partner must know first: required, or the default. */
function hintOf(field: SpecField): string {
  if (isRequired(field)) return `${REQUIRED} ${field.help}`;
  if (field.kind === 'number' && field.default !== undefined)
    return `Default ${field.default}. ${field.help}`;
  return field.help;
}

function initialText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return truncate(value, 3000);
  return undefined;
}

function numberFits(text: string, rule: { min: number; max: number; whole: boolean }): boolean {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return false;
  const n = Number(text);
  if (rule.whole && !Number.isInteger(n)) return false;
  return n >= rule.min && n <= rule.max;
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
  | { errors: Record<string, string> };

/**
 * Turns the submitted form into the object `parseSpec` takes: nested sections, numbers as
 * the text Slack sends, empty fields left out so the defaults (or a "missing" error)
 * apply. A non-empty YAML box is parsed like a spec file and merged over the form, key by
 * key inside sections; `fromYaml` lists the keys it set (`PADDING`, `resources`,
 * `resources.cpu`) so errors about them can point at the YAML box. An input over its
 * limit (SUBMIT_LIMITS), or YAML that is not settings, is an error on its block instead.
 */
export function readSubmitForm(
  values: Record<string, Record<string, ViewStateValue>>,
): SubmitFormResult {
  const tooLong = overLongInputs(values, SUBMIT_LIMITS);
  if (tooLong) return { errors: tooLong };
  const yamlError = (text: string) => ({ errors: { [YAML_BLOCK_ID]: text } });
  const input: Record<string, unknown> = {};
  for (const field of SPEC_CATALOGUE) {
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
  if (text === undefined || isOnlyComments(text)) return { input, fromYaml };

  const loaded = loadYaml(text);
  if ('error' in loaded) return yamlError(loaded.error);
  const pasted = loaded.document;
  if (pasted === null || pasted === undefined) return { input, fromYaml };
  if (!isMapping(pasted)) {
    const got = Array.isArray(pasted)
      ? 'a list'
      : `just ${JSON.stringify(truncate(String(pasted), 40))}`;
    return yamlError(`expected settings as "key: value" lines (e.g. "PADDING: 24"), got ${got}`);
  }

  for (const key of Object.keys(pasted)) {
    const value = pasted[key];
    // An empty value (`resources:` or `title:`) says nothing; it neither fills nor clears.
    if (value === null || value === undefined) continue;
    const current = Object.hasOwn(input, key) ? input[key] : undefined;
    if (isMapping(value) && (current === undefined || isMapping(current))) {
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
