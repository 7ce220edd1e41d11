import type { InputBlock, KnownBlock, PlainTextInput } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { SPEC_CATALOGUE } from '../../../src/domain/submission-spec/index.ts';
import { approveModal } from '../../../src/slack/views/approve-modal.ts';
import {
  limitProblem,
  overLongInputs,
  SLACK_TEXT_INPUT_MAX,
} from '../../../src/slack/views/input-limits.ts';
import { fromMetadata, LIMITS } from '../../../src/slack/views/kit.ts';
import { reasonModal } from '../../../src/slack/views/reason-modal.ts';
import {
  readSubmitForm,
  SUBMIT_LIMITS,
  submitModal,
} from '../../../src/slack/views/submit-modal.ts';
import { FILLED, submission as fixture, submitState } from './fixtures.ts';

const MB = 1024 * 1024;

const typed = (value: string | null) => ({ type: 'plain_text_input', value });

describe('limitProblem', () => {
  const limit = { label: 'Title', characters: 5 };

  it('lets text up to the limit through, counting characters, not UTF-16 units', () => {
    expect(limitProblem('', limit)).toBeUndefined();
    expect(limitProblem('abcde', limit)).toBeUndefined();
    expect(limitProblem('🚀🚀🚀🚀🚀', limit)).toBeUndefined();
    expect(limitProblem('🚀🚀🚀🚀🚀🚀', limit)).toBe('Title: at most 5 characters; this is 6');
  });

  it('names the field and both numbers, with thousands separated', () => {
    expect(limitProblem('x'.repeat(MB), { label: 'Reason', characters: 2000 })).toBe(
      'Reason: at most 2,000 characters; this is 1,048,576',
    );
  });

  it("puts the field's own rule first", () => {
    const rule = (text: string) => (text.includes('!') ? 'no shouting' : undefined);
    expect(limitProblem('!!!!!!!!', { ...limit, rule })).toBe('Title: no shouting');
    expect(limitProblem('abcdefgh', { ...limit, rule })).toMatch(/at most 5 characters/);
  });
});

describe('overLongInputs', () => {
  const limits = { a: { label: 'A', characters: 3 }, b: { label: 'B', characters: 3 } };

  it('reports every listed input over its limit, by block id', () => {
    expect(overLongInputs({ a: { value: typed('abc') }, b: { value: typed('abc') } }, limits)).toBe(
      undefined,
    );
    expect(
      overLongInputs({ a: { value: typed('abcd') }, b: { value: typed('abcdef') } }, limits),
    ).toEqual({
      a: 'A: at most 3 characters; this is 4',
      b: 'B: at most 3 characters; this is 6',
    });
  });

  it('reads only the inputs it has a limit for, and only text', () => {
    const values = {
      other: { value: typed('x'.repeat(MB)) },
      a: {
        value: {
          type: 'static_select',
          selected_option: {
            text: { type: 'plain_text' as const, text: 'x' },
            value: 'x'.repeat(9),
          },
        },
      },
      b: { value: typed(null) },
    };
    expect(overLongInputs(values, limits)).toBeUndefined();
  });
});

function textInputs(blocks: KnownBlock[]): Map<string, PlainTextInput> {
  const found = new Map<string, PlainTextInput>();
  for (const block of blocks) {
    const element = (block as InputBlock).element;
    if (block.type === 'input' && block.block_id && element?.type === 'plain_text_input') {
      found.set(block.block_id, element);
    }
  }
  return found;
}

describe('the submit form’s limits', () => {
  it('are the max_length each text input is drawn with, all within Slack’s 3,000', () => {
    const inputs = textInputs(submitModal({ metadata: {} }).blocks as KnownBlock[]);
    expect(inputs.size).toBeGreaterThan(5);
    for (const [block, element] of inputs) {
      expect(element.max_length, block).toBe(SUBMIT_LIMITS[block]?.characters);
      expect(element.max_length, block).toBeLessThanOrEqual(SLACK_TEXT_INPUT_MAX);
    }
    expect(SUBMIT_LIMITS.yaml?.characters).toBe(SLACK_TEXT_INPUT_MAX);
    expect(Object.keys(SUBMIT_LIMITS).sort()).toEqual(
      [...SPEC_CATALOGUE.map((field) => field.path), 'yaml'].sort(),
    );
  });

  it('holds the other modals’ inputs within Slack’s 3,000 too', () => {
    const submission = fixture();
    const views = [
      approveModal({ submission, targetProjects: ['p'], metadata: { id: 'PG-0042' } }),
      reasonModal({ submission, action: 'reject', metadata: { id: 'PG-0042' } }),
    ];
    for (const view of views) {
      for (const element of textInputs(view.blocks as KnownBlock[]).values()) {
        expect(element.max_length).toBeLessThanOrEqual(SLACK_TEXT_INPUT_MAX);
      }
    }
  });

  it('refuse a 1 MB YAML paste on the YAML box by its size, without parsing it', () => {
    // Unbalanced brackets: had a parser seen this, the answer would be a syntax error.
    expect(readSubmitForm(submitState(FILLED, '['.repeat(MB)))).toEqual({
      errors: { yaml: 'Settings as YAML: at most 65,536 bytes; this is 1,048,576' },
    });
  });

  it('refuse YAML within 64 KiB but longer than the box Slack draws', () => {
    const yaml = `# ${'x'.repeat(SLACK_TEXT_INPUT_MAX)}\n`;
    expect(readSubmitForm(submitState(FILLED, yaml))).toEqual({
      errors: { yaml: 'Settings as YAML: at most 3,000 characters; this is 3,003' },
    });
  });

  it('refuse every field over its input’s limit at once, text and numbers alike', () => {
    const values = submitState({
      ...FILLED,
      image: `eu.gcr.io/p/${'i'.repeat(600)}`,
      PADDING: '1'.repeat(101),
      'describe.description': 'd'.repeat(2001),
    });
    expect(readSubmitForm(values)).toEqual({
      errors: {
        image: 'Docker image: at most 512 characters; this is 612',
        PADDING: 'Padding (pixels): at most 100 characters; this is 101',
        'describe.description': 'Description: at most 2,000 characters; this is 2,001',
      },
    });
  });

  it('take a form at its limits', () => {
    const values = submitState({ ...FILLED, 'describe.description': 'd'.repeat(2000) }, '# ok');
    expect(readSubmitForm(values)).toHaveProperty('input');
  });
});

describe('fromMetadata', () => {
  it('does not parse metadata longer than Slack lets a view carry', () => {
    const padded = JSON.stringify({ id: 'PG-0042', pad: 'x'.repeat(LIMITS.privateMetadata) });
    expect(fromMetadata(padded)).toEqual({});
    expect(fromMetadata(JSON.stringify({ id: 'PG-0042' }))).toEqual({ id: 'PG-0042' });
  });
});
