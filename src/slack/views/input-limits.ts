// The most the bot reads of any text a person sends (a modal's inputs, a command's text),
// checked before anything parses it. Slack's client holds an input to the max_length its
// view gave it, but a correctly signed request can carry anything; whatever is longer is
// answered with the field's name and its limit, and goes no further.
import type { ViewStateValue } from '@slack/bolt';
import { VALUE_ACTION_ID } from './ids.ts';

/**
 * The longest a plain_text_input can be made: Slack accepts max_length "between 1 and
 * 3000, inclusive" (https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element).
 */
export const SLACK_TEXT_INPUT_MAX = 3000;

/** How much of one field the bot reads. */
export interface TextLimit {
  /** The field as the person knows it, named in the error. */
  label: string;
  /** In characters; for an input, the max_length its view draws. */
  characters: number;
  /** A rule of the field's own checked first (the spec's 64 KiB for pasted YAML). */
  rule?: (text: string) => string | undefined;
}

const count = (n: number) => n.toLocaleString('en-US');

/** Undefined when `text` fits; else "Reason: at most 2,000 characters; this is 2,001". */
export function limitProblem(text: string, limit: TextLimit): string | undefined {
  const own = limit.rule?.(text);
  if (own) return `${limit.label}: ${own}`;
  // UTF-16 units are never fewer than characters: most text needs no counting.
  if (text.length <= limit.characters) return undefined;
  let characters = 0;
  for (const _ of text) characters += 1;
  if (characters <= limit.characters) return undefined;
  return `${limit.label}: at most ${count(limit.characters)} characters; this is ${count(characters)}`;
}

/**
 * The `response_action: 'errors'` map of a view's inputs that break their limits (block
 * id -> problem), or undefined when every one fits. Inputs without a limit are not read.
 */
export function overLongInputs(
  values: Record<string, Record<string, ViewStateValue>>,
  limits: Readonly<Record<string, TextLimit>>,
): Record<string, string> | undefined {
  const errors: Record<string, string> = {};
  for (const [block, limit] of Object.entries(limits)) {
    const state = Object.hasOwn(values, block) ? values[block]?.[VALUE_ACTION_ID] : undefined;
    const text: unknown = state?.value;
    const problem = typeof text === 'string' ? limitProblem(text, limit) : undefined;
    if (problem) errors[block] = problem;
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}
