import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  validateMessageBlocks,
  validateView,
} from '../../../src/local/slack-api/blocks.ts';
import { button, modal, section } from './fixtures.ts';

const x = (n: number) => 'x'.repeat(n);
const plain = (text: string) => ({ type: 'plain_text', text });
const option = (text: string, value: string) => ({ text: plain(text), value });
const actions = (elements: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'actions',
  elements,
  ...extra,
});
const select = (options: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'static_select',
  action_id: 'pick',
  options,
  ...extra,
});
const input = (element: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'input',
  block_id: 'in',
  label: plain('Label'),
  element: { action_id: 'value', ...element },
  ...extra,
});

describe('message blocks: valid', () => {
  it('accepts a typical review message at every limit', () => {
    const blocks = [
      { type: 'header', text: plain(x(LIMITS.headerText)) },
      section(x(LIMITS.sectionText), { block_id: x(LIMITS.blockId) }),
      {
        type: 'section',
        fields: Array.from({ length: 10 }, () => ({ type: 'mrkdwn', text: x(2000) })),
      },
      {
        type: 'context',
        elements: Array.from({ length: 10 }, () => ({ type: 'mrkdwn', text: 'c' })),
      },
      { type: 'divider' },
      actions(
        Array.from({ length: 25 }, (_, i) =>
          button(`a${i}`, x(LIMITS.buttonText), { value: x(2000), url: `https://e.x/${x(2980)}` }),
        ),
      ),
    ];
    expect(validateMessageBlocks(blocks)).toEqual([]);
  });

  it('accepts 50 blocks', () => {
    expect(validateMessageBlocks(Array.from({ length: 50 }, () => ({ type: 'divider' })))).toEqual(
      [],
    );
  });

  it('counts characters, not UTF-16 units', () => {
    expect(validateMessageBlocks([{ type: 'header', text: plain('🚀'.repeat(150)) }])).toEqual([]);
  });
});

/** One over each documented limit; each must be named with a pointer to the field. */
const messageCases: [string, unknown[], string][] = [
  [
    'more than 50 blocks',
    Array.from({ length: 51 }, () => ({ type: 'divider' })),
    'no more than 50 items allowed [json-pointer:/blocks]',
  ],
  [
    'section text over 3000',
    [section(x(3001))],
    'must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
  ],
  [
    'empty section text',
    [section('')],
    'must be at least 1 characters [json-pointer:/blocks/0/text/text]',
  ],
  [
    'section without text or fields',
    [{ type: 'section' }],
    'must provide either text or fields [json-pointer:/blocks/0]',
  ],
  [
    'more than 10 section fields',
    [{ type: 'section', fields: Array.from({ length: 11 }, () => plain('f')) }],
    'no more than 10 items allowed [json-pointer:/blocks/0/fields]',
  ],
  [
    'section field over 2000',
    [{ type: 'section', fields: [plain('ok'), plain(x(2001))] }],
    'must be less than 2001 characters [json-pointer:/blocks/0/fields/1/text]',
  ],
  [
    'header over 150',
    [{ type: 'header', text: plain(x(151)) }],
    'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
  ],
  [
    'header in mrkdwn',
    [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }],
    'must be plain_text, not mrkdwn [json-pointer:/blocks/0/text/type]',
  ],
  [
    'more than 10 context elements',
    [{ type: 'context', elements: Array.from({ length: 11 }, () => plain('c')) }],
    'no more than 10 items allowed [json-pointer:/blocks/0/elements]',
  ],
  [
    'more than 25 actions elements',
    [actions(Array.from({ length: 26 }, (_, i) => button(`a${i}`)))],
    'no more than 25 items allowed [json-pointer:/blocks/0/elements]',
  ],
  [
    'empty actions',
    [actions([])],
    'must provide at least 1 items [json-pointer:/blocks/0/elements]',
  ],
  [
    'button text over 75',
    [actions([button('a', x(76))])],
    'must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]',
  ],
  [
    'button action_id over 255',
    [actions([button(x(256))])],
    'must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]',
  ],
  [
    'button value over 2000',
    [actions([button('a', 'Go', { value: x(2001) })])],
    'must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]',
  ],
  [
    'button url over 3000',
    [actions([button('a', 'Go', { url: x(3001) })])],
    'must be less than 3001 characters [json-pointer:/blocks/0/elements/0/url]',
  ],
  [
    'button style not primary/danger',
    [actions([button('a', 'Go', { style: 'green' })])],
    'must be one of primary, danger [json-pointer:/blocks/0/elements/0/style]',
  ],
  [
    'duplicate action_id in one actions block',
    [actions([button('approve'), button('approve')])],
    'duplicate action_id "approve" in this block [json-pointer:/blocks/0/elements/1/action_id]',
  ],
  [
    'block_id over 255',
    [section('s', { block_id: x(256) })],
    'must be less than 256 characters [json-pointer:/blocks/0/block_id]',
  ],
  [
    'duplicate block_id',
    [section('a', { block_id: 'review' }), section('b', { block_id: 'review' })],
    'duplicate block_id "review" [json-pointer:/blocks/1/block_id]',
  ],
  [
    'more than 100 select options',
    [actions([select(Array.from({ length: 101 }, (_, i) => option(`o${i}`, `v${i}`)))])],
    'no more than 100 items allowed [json-pointer:/blocks/0/elements/0/options]',
  ],
  [
    'option text over 75',
    [actions([select([option(x(76), 'v')])])],
    'must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/text/text]',
  ],
  [
    'option value over 150',
    [actions([select([option('o', x(151))])])],
    'must be less than 151 characters [json-pointer:/blocks/0/elements/0/options/0/value]',
  ],
  [
    'initial_option not among the options',
    [actions([select([option('a', 'a')], { initial_option: option('b', 'b') })])],
    'must match one of the provided options [json-pointer:/blocks/0/elements/0/initial_option]',
  ],
  [
    'select without options',
    [actions([select([])])],
    'must provide at least 1 items [json-pointer:/blocks/0/elements/0/options]',
  ],
  [
    'placeholder over 150',
    [actions([select([option('a', 'a')], { placeholder: plain(x(151)) })])],
    'must be less than 151 characters [json-pointer:/blocks/0/elements/0/placeholder/text]',
  ],
  [
    'more than 10 checkboxes',
    [
      actions([
        {
          type: 'checkboxes',
          action_id: 'c',
          options: Array.from({ length: 11 }, (_, i) => option(`${i}`, `${i}`)),
        },
      ]),
    ],
    'no more than 10 items allowed [json-pointer:/blocks/0/elements/0/options]',
  ],
  [
    'unknown block type',
    [{ type: 'carousel' }],
    'unsupported type: carousel [json-pointer:/blocks/0/type]',
  ],
  [
    'unknown element type',
    [actions([{ type: 'slider', action_id: 's' }])],
    'unsupported type: slider [json-pointer:/blocks/0/elements/0/type]',
  ],
  [
    'confirm title over 100',
    [
      actions([
        button('a', 'Go', {
          confirm: {
            title: plain(x(101)),
            text: plain('t'),
            confirm: plain('y'),
            deny: plain('n'),
          },
        }),
      ]),
    ],
    'must be less than 101 characters [json-pointer:/blocks/0/elements/0/confirm/title/text]',
  ],
  [
    'image without alt_text',
    [{ type: 'image', image_url: 'https://e.x/i.png' }],
    'missing required field [json-pointer:/blocks/0/alt_text]',
  ],
  [
    'input label over 2000',
    [input({ type: 'plain_text_input' }, { label: plain(x(2001)) })],
    'must be less than 2001 characters [json-pointer:/blocks/0/label/text]',
  ],
  [
    'input hint over 2000',
    [input({ type: 'plain_text_input' }, { hint: plain(x(2001)) })],
    'must be less than 2001 characters [json-pointer:/blocks/0/hint/text]',
  ],
  [
    'plain_text_input initial_value over 3000',
    [input({ type: 'plain_text_input', initial_value: x(3001) })],
    'must be less than 3001 characters [json-pointer:/blocks/0/element/initial_value]',
  ],
  [
    'plain_text_input max_length over 3000',
    [input({ type: 'plain_text_input', max_length: 3001 })],
    'must be a number between 1 and 3000 [json-pointer:/blocks/0/element/max_length]',
  ],
  [
    'plain_text_input initial_value longer than its max_length',
    [input({ type: 'plain_text_input', max_length: 5, initial_value: 'abcdef' })],
    'must be less than 6 characters (max_length) [json-pointer:/blocks/0/element/initial_value]',
  ],
  [
    'plain_text_input min_length above max_length',
    [input({ type: 'plain_text_input', min_length: 10, max_length: 5 })],
    'must not be greater than max_length [json-pointer:/blocks/0/element/min_length]',
  ],
  [
    'input without element',
    [{ type: 'input', label: plain('L') }],
    'missing required field [json-pointer:/blocks/0/element]',
  ],
  [
    'blocks not an array',
    { type: 'section' } as unknown as unknown[],
    'must be an array [json-pointer:/blocks]',
  ],
];

describe('message blocks: each limit', () => {
  it.each(messageCases)('%s', (_name, blocks, problem) => {
    expect(validateMessageBlocks(blocks)).toContain(problem);
  });

  it('allows the same action_id in different blocks', () => {
    expect(
      validateMessageBlocks([actions([button('approve')]), actions([button('approve')])]),
    ).toEqual([]);
  });
});

describe('views', () => {
  it('accepts a modal at its limits', () => {
    const view = modal({
      title: plain(x(LIMITS.modalTitle)),
      submit: plain(x(24)),
      close: plain(x(24)),
      private_metadata: x(3000),
      blocks: Array.from({ length: 100 }, (_, i) => ({ type: 'divider', block_id: `b${i}` })),
    });
    expect(validateView(view)).toEqual([]);
  });

  it('accepts a home tab without a title', () => {
    expect(validateView({ type: 'home', blocks: [section('hi')] })).toEqual([]);
  });

  const viewCases: [string, unknown, string][] = [
    [
      'title over 24',
      modal({ title: plain(x(25)) }),
      'must be less than 25 characters [json-pointer:/view/title/text]',
    ],
    [
      'title missing',
      modal({ title: undefined }),
      'missing required field [json-pointer:/view/title]',
    ],
    [
      'title in mrkdwn',
      modal({ title: { type: 'mrkdwn', text: 't' } }),
      'must be plain_text, not mrkdwn [json-pointer:/view/title/type]',
    ],
    [
      'submit over 24',
      modal({ submit: plain(x(25)) }),
      'must be less than 25 characters [json-pointer:/view/submit/text]',
    ],
    [
      'close over 24',
      modal({ close: plain(x(25)) }),
      'must be less than 25 characters [json-pointer:/view/close/text]',
    ],
    [
      'more than 100 blocks',
      modal({ blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }),
      'no more than 100 items allowed [json-pointer:/view/blocks]',
    ],
    [
      'input block without submit',
      modal({ submit: undefined }),
      'must define `submit` to use an `input` block in modals [json-pointer:/view/blocks/0/input]',
    ],
    [
      'duplicate input block ids',
      modal({ blocks: [input({ type: 'plain_text_input' }), input({ type: 'plain_text_input' })] }),
      'duplicate block_id "in" [json-pointer:/view/blocks/1/block_id]',
    ],
    [
      'private_metadata over 3000',
      modal({ private_metadata: x(3001) }),
      'must be less than 3001 characters [json-pointer:/view/private_metadata]',
    ],
    [
      'callback_id over 255',
      modal({ callback_id: x(256) }),
      'must be less than 256 characters [json-pointer:/view/callback_id]',
    ],
    [
      'unknown view type',
      { type: 'workflow_step', blocks: [] },
      'unsupported type: workflow_step [json-pointer:/view/type]',
    ],
  ];

  it.each(viewCases)('%s', (_name, view, problem) => {
    expect(validateView(view)).toContain(problem);
  });

  it('reports every problem, not only the first', () => {
    const problems = validateView(modal({ title: plain(x(30)), submit: plain(x(30)) }));
    expect(problems).toHaveLength(2);
  });
});
