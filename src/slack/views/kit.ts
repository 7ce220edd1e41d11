// Small Block Kit constructors shared by the views (no I/O, no Slack calls).
import type {
  ActionsBlock,
  Button,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  MrkdwnElement,
  PlainTextElement,
  SectionBlock,
} from '@slack/types';
import { truncate, truncateMrkdwn } from './mrkdwn.ts';

/** A message as chat.postMessage, chat.update and ephemeral answers take it. */
export interface Message {
  text: string;
  blocks?: KnownBlock[];
}

// Slack's documented limits that the builders keep to.
export const LIMITS = {
  modalTitle: 24,
  modalButton: 24,
  modalBlocks: 100,
  homeBlocks: 100,
  messageBlocks: 50,
  privateMetadata: 3000,
  header: 150,
  sectionText: 3000,
  sectionField: 2000,
  sectionFields: 10,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  label: 2000,
  hint: 2000,
  placeholder: 150,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  messageText: 40000,
} as const;

export function plain(text: string, max: number = LIMITS.sectionText): PlainTextElement {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

/** mrkdwn text object; `text` must already be escaped where it holds partner input. */
export function md(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, LIMITS.header) };
}

/** A mrkdwn section; text over Slack's 3000 characters is cut (callers split long lists). */
export function section(text: string, accessory?: Button): SectionBlock {
  const block: SectionBlock = {
    type: 'section',
    text: md(truncateMrkdwn(text, LIMITS.sectionText)),
  };
  if (accessory) block.accessory = accessory;
  return block;
}

export function context(...texts: string[]): ContextBlock {
  return {
    type: 'context',
    elements: texts
      .slice(0, LIMITS.contextElements)
      .map((text) => md(truncateMrkdwn(text, LIMITS.sectionText))),
  };
}

export function button(
  text: string,
  actionId: string,
  options: { value?: string; style?: 'primary' | 'danger'; confirm?: Button['confirm'] } = {},
): Button {
  const element: Button = {
    type: 'button',
    text: plain(text, LIMITS.buttonText),
    action_id: actionId,
  };
  if (options.value !== undefined) element.value = options.value;
  if (options.style) element.style = options.style;
  if (options.confirm) element.confirm = options.confirm;
  return element;
}

export function actions(elements: Button[], blockId?: string): ActionsBlock {
  const block: ActionsBlock = { type: 'actions', elements };
  if (blockId !== undefined) block.block_id = blockId;
  return block;
}

/**
 * Splits lines into sections of at most 3000 characters each, so a long list never
 * breaks Slack's per-block text limit.
 */
export function sectionsOf(lines: string[]): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  let current = '';
  for (const line of lines) {
    const piece = truncateMrkdwn(line, LIMITS.sectionText);
    if (current !== '' && current.length + 1 + piece.length > LIMITS.sectionText) {
      blocks.push(section(current));
      current = '';
    }
    current = current === '' ? piece : `${current}\n${piece}`;
  }
  if (current !== '') blocks.push(section(current));
  return blocks;
}

/** Serialises modal metadata, refusing anything over Slack's 3000-character limit. */
export function toMetadata(value: Record<string, unknown>): string {
  const json = JSON.stringify(value);
  if (json.length > LIMITS.privateMetadata) {
    throw new Error(
      `private_metadata is ${json.length} characters; Slack allows ${LIMITS.privateMetadata}`,
    );
  }
  return json;
}

/**
 * Parses modal metadata written by `toMetadata`; `{}` for anything else, including text
 * longer than Slack lets a view carry (a forged view), which is not parsed at all.
 */
export function fromMetadata(text: string | undefined): Record<string, unknown> {
  if (!text || text.length > LIMITS.privateMetadata) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** A string property of parsed metadata, if it is one. */
export function stringOf(value: Record<string, unknown>, key: string): string | undefined {
  const v = Object.hasOwn(value, key) ? value[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}
