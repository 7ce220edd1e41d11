import type { InputBlock, KnownBlock, NumberInput, PlainTextInput } from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  isRequired,
  parseSpec,
  SPEC_CATALOGUE,
  type SpecIssue,
} from '../../../src/domain/submission-spec/index.ts';
import { CALLBACK_ID, VALUE_ACTION_ID, YAML_BLOCK_ID } from '../../../src/slack/views/ids.ts';
import {
  BLOCK_ERROR_MAX,
  blockErrors,
  parseSubmitMetadata,
  readSubmitForm,
  submitModal,
} from '../../../src/slack/views/submit-modal.ts';
import { sampleSpec } from '../../helpers/sample-spec.ts';
import { FILLED, submitState } from './fixtures.ts';

const FIELD_PATHS = [
  'image',
  'service',
  'PREDICTOR_CLASS',
  'PREDICTOR_PACKAGE',
  'ZOOM_LEVEL',
  'PADDING',
  'resources.cpu',
  'resources.memory_gb',
  'resources.disk_size_gb',
  'gunicorn.workers',
  'gunicorn.backlog',
  'gunicorn.timeout',
  'describe.title',
  'describe.description',
  'describe.organization',
  'describe.email',
];

function inputs(blocks: KnownBlock[]): Map<string, InputBlock> {
  const map = new Map<string, InputBlock>();
  for (const block of blocks)
    if (block.type === 'input' && block.block_id) map.set(block.block_id, block);
  return map;
}

function element<T>(blocks: KnownBlock[], id: string): T {
  const block = inputs(blocks).get(id);
  if (!block) throw new Error(`no input block ${id}`);
  return block.element as T;
}

/** What readSubmitForm gives, failing the test on a form error. */
function read(values: ReturnType<typeof submitState>) {
  const result = readSubmitForm(values);
  if ('errors' in result) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result;
}

describe('submitModal', () => {
  it('has one input per spec field, block id = spec path, action id `value`, then the YAML box', () => {
    const view = submitModal({ metadata: {} });
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe(CALLBACK_ID.submit);
    expect(view.title.text).toBe('Deploy a model');
    expect(view.submit?.text).toBe('Submit');
    expect(view.close?.text).toBe('Cancel');
    const ids = [...inputs(view.blocks as KnownBlock[]).keys()];
    expect(ids).toEqual([...FIELD_PATHS, YAML_BLOCK_ID]);
    for (const block of inputs(view.blocks as KnownBlock[]).values()) {
      expect((block.element as { action_id: string }).action_id).toBe(VALUE_ACTION_ID);
      expect(block.hint?.text.length).toBeGreaterThan(20);
      // Every input is optional for Slack so a partner can paste everything as YAML;
      // the spec enforces required fields on submit.
      expect(block.optional).toBe(true);
    }
  });

  it('uses number inputs with the spec bounds, decimals only for memory', () => {
    const blocks = submitModal({ metadata: {} }).blocks as KnownBlock[];
    const padding = element<NumberInput>(blocks, 'PADDING');
    expect(padding).toMatchObject({
      type: 'number_input',
      is_decimal_allowed: false,
      min_value: '0',
      max_value: '256',
    });
    expect(element<NumberInput>(blocks, 'ZOOM_LEVEL')).toMatchObject({
      min_value: '0',
      max_value: '22',
    });
    expect(element<NumberInput>(blocks, 'resources.memory_gb').is_decimal_allowed).toBe(true);
    expect(element<NumberInput>(blocks, 'resources.cpu').is_decimal_allowed).toBe(false);
    expect(element<PlainTextInput>(blocks, 'describe.description')).toMatchObject({
      type: 'plain_text_input',
      multiline: true,
    });
    expect(element<PlainTextInput>(blocks, 'image').type).toBe('plain_text_input');
    expect(element<PlainTextInput>(blocks, YAML_BLOCK_ID)).toMatchObject({ multiline: true });
  });

  it('fills in the seed defaults for resources and gunicorn, and nothing for zoom and padding', () => {
    const blocks = submitModal({ metadata: {} }).blocks as KnownBlock[];
    const initial = (id: string) => element<NumberInput | PlainTextInput>(blocks, id).initial_value;
    expect(initial('resources.cpu')).toBe('4');
    expect(initial('resources.memory_gb')).toBe('3.2');
    expect(initial('resources.disk_size_gb')).toBe('10');
    expect(initial('gunicorn.workers')).toBe('2');
    expect(initial('gunicorn.backlog')).toBe('6');
    expect(initial('gunicorn.timeout')).toBe('60');
    expect(initial('ZOOM_LEVEL')).toBeUndefined();
    expect(initial('PADDING')).toBeUndefined();
    expect(initial('image')).toBeUndefined();
  });

  it('explains the predictor package in the partner’s terms', () => {
    const blocks = submitModal({ metadata: {} }).blocks as KnownBlock[];
    expect(inputs(blocks).get('PREDICTOR_PACKAGE')?.hint?.text).toMatch(
      /my_package\.my_module if the class isn't importable/,
    );
    expect(inputs(blocks).get(YAML_BLOCK_ID)?.hint?.text).toMatch(/fill or override/);
  });

  it('round-trips its metadata through private_metadata', () => {
    const view = submitModal({ metadata: { id: 'PG-0042', revision: 2, channel: 'C0123' } });
    expect(parseSubmitMetadata(view.private_metadata)).toEqual({
      id: 'PG-0042',
      revision: 2,
      channel: 'C0123',
    });
    expect(parseSubmitMetadata(submitModal({ metadata: {} }).private_metadata)).toEqual({});
    expect(parseSubmitMetadata('not json')).toEqual({});
    expect(parseSubmitMetadata('{"id": 5, "revision": "2"}')).toEqual({});
  });

  it('pre-fills every field from the last revision when resubmitting, and says which revision it creates', () => {
    const spec = sampleSpec({
      PADDING: 32,
      resources: { cpu: 8, memory_gb: 7.2, disk_size_gb: 20 },
      describe: {
        title: 'Roofs',
        description: 'Finds roofs.\nOn 50 cm imagery.',
        organization: 'Acme',
        email: 'ml@acme.test',
      },
    });
    const view = submitModal({ initial: spec, metadata: { id: 'PG-0042', revision: 2 } });
    expect(view.title.text).toBe('Resubmit PG-0042');
    expect(view.submit?.text).toBe('Resubmit');
    const blocks = view.blocks as KnownBlock[];
    const initial = (id: string) => element<NumberInput | PlainTextInput>(blocks, id).initial_value;
    expect(initial('image')).toBe(spec.image);
    expect(initial('PADDING')).toBe('32');
    expect(initial('ZOOM_LEVEL')).toBe('16');
    expect(initial('resources.memory_gb')).toBe('7.2');
    expect(initial('describe.description')).toBe('Finds roofs.\nOn 50 cm imagery.');
    expect(initial('describe.email')).toBe('ml@acme.test');
    expect(initial(YAML_BLOCK_ID)).toBeUndefined();
    expect(JSON.stringify(blocks[0])).toContain('revision 3');
  });

  it('keeps titles within 24 characters even for long ids', () => {
    for (const id of ['PG-0042', 'PG-123456', 'PG-12345678901234567890']) {
      expect([...submitModal({ metadata: { id } }).title.text].length).toBeLessThanOrEqual(24);
    }
  });

  it('draws every input from the spec catalogue: kind, bounds, length, label, help, default', () => {
    const blocks = submitModal({ metadata: {} }).blocks as KnownBlock[];
    const byId = inputs(blocks);
    // Each catalogue field exactly once, plus the YAML box.
    expect(blocks.filter((block) => block.type === 'input')).toHaveLength(
      SPEC_CATALOGUE.length + 1,
    );
    expect([...byId.keys()].sort()).toEqual(
      [...SPEC_CATALOGUE.map((field) => field.path), YAML_BLOCK_ID].sort(),
    );
    for (const field of SPEC_CATALOGUE) {
      const block = byId.get(field.path);
      if (!block) throw new Error(`no input for ${field.path}`);
      expect(block.label.text, field.path).toBe(field.label);
      expect(block.hint?.text, field.path).toContain(field.help);
      expect(block.hint?.text.startsWith('Required'), field.path).toBe(isRequired(field));
      if (field.placeholder) expect(JSON.stringify(block.element)).toContain(field.placeholder);
      if (field.kind === 'number') {
        expect(block.element, field.path).toMatchObject({
          type: 'number_input',
          is_decimal_allowed: !field.rule.whole,
          min_value: String(field.rule.min),
          max_value: String(field.rule.max),
        });
        const initial = (block.element as NumberInput).initial_value;
        expect(initial, field.path).toBe(
          field.default === undefined ? undefined : String(field.default),
        );
      } else {
        expect(block.element, field.path).toMatchObject({
          type: 'plain_text_input',
          max_length: field.maxLength,
        });
      }
    }
  });

  it('shows a bound from the catalogue in both the input and its help', () => {
    // The catalogue states each limit once; the form reads it (PADDING 0..256, zoom 0..22).
    const blocks = submitModal({ metadata: {} }).blocks as KnownBlock[];
    const padding = SPEC_CATALOGUE.find((field) => field.path === 'PADDING');
    if (padding?.kind !== 'number') throw new Error('PADDING is a number field');
    expect(element<NumberInput>(blocks, 'PADDING').max_value).toBe(String(padding.rule.max));
    expect(inputs(blocks).get('PADDING')?.hint?.text).toContain(`0 to ${padding.rule.max}`);
    expect(inputs(blocks).get('service')?.hint?.text).toContain('at most 63 characters');
    expect(inputs(blocks).get('resources.memory_gb')?.hint?.text).toBe(
      'Default 3.2. App Engine allows 0.9 to 6.5 GB per CPU, minus 0.4 GB for the system: with 4 CPUs, 3.2 to 25.6.',
    );
  });
});

describe('readSubmitForm', () => {
  it('builds the nested object parseSpec takes, with the number strings Slack sends', () => {
    const { input, fromYaml } = read(submitState(FILLED));
    expect(input).toEqual({
      image: 'eu.gcr.io/theplayground_repo/my_service:1.0.3',
      service: 'my-service',
      ZOOM_LEVEL: '16',
      PADDING: '24',
      PREDICTOR_CLASS: 'MyPredictor',
      PREDICTOR_PACKAGE: 'my_package.my_module',
      resources: { cpu: '4', memory_gb: '3.2', disk_size_gb: '10' },
      gunicorn: { workers: '2', backlog: '6', timeout: '60' },
    });
    expect(fromYaml.size).toBe(0);
    const result = parseSpec(input);
    expect(result.ok && result.spec).toEqual(sampleSpec());
  });

  it('leaves empty fields out so the defaults apply', () => {
    const { input } = read(
      submitState({
        ...FILLED,
        'resources.cpu': null,
        'gunicorn.workers': '',
        'gunicorn.backlog': null,
        'gunicorn.timeout': null,
        'describe.title': '   ',
      }),
    );
    expect(input.resources).toEqual({ memory_gb: '3.2', disk_size_gb: '10' });
    expect(input.gunicorn).toEqual(undefined);
    expect(input.describe).toBeUndefined();
    const result = parseSpec(input);
    expect(result.ok && result.spec.resources.cpu).toBe(4);
    expect(result.ok && result.spec.gunicorn).toEqual({ workers: 2, backlog: 6, timeout: 60 });
  });

  it('reads the describe section and keeps description line breaks', () => {
    const { input } = read(
      submitState({
        ...FILLED,
        'describe.title': 'Roofs',
        'describe.description': 'Line one\nLine two',
      }),
    );
    expect(input.describe).toEqual({ title: 'Roofs', description: 'Line one\nLine two' });
  });

  it('accepts numbers as numbers too', () => {
    const values = submitState(FILLED);
    (values.PADDING as Record<string, { type: string; value: unknown }>).value = {
      type: 'number_input',
      value: 24,
    };
    expect(read(values).input.PADDING).toBe('24');
  });

  it('takes everything from the YAML box when the form is empty', () => {
    const yaml = [
      'image: eu.gcr.io/theplayground_repo/my_service:1.0.3',
      'service: my-service          # App Engine service id',
      'ZOOM_LEVEL: 16',
      'PADDING: 24',
      'PREDICTOR_CLASS: MyPredictor',
      'PREDICTOR_PACKAGE: my_package.my_module',
      'resources: {cpu: 4, memory_gb: 3.2, disk_size_gb: 10}',
    ].join('\n');
    const { input, fromYaml } = read(submitState({}, yaml));
    const result = parseSpec(input);
    expect(result.ok && result.spec).toEqual(sampleSpec());
    expect(fromYaml).toEqual(
      new Set([
        'image',
        'service',
        'ZOOM_LEVEL',
        'PADDING',
        'PREDICTOR_CLASS',
        'PREDICTOR_PACKAGE',
        'resources',
        'resources.cpu',
        'resources.memory_gb',
        'resources.disk_size_gb',
      ]),
    );
  });

  it('merges pasted values over the form, key by key inside sections', () => {
    const { input, fromYaml } = read(
      submitState(FILLED, 'PADDING: 32\nresources: {cpu: 8}\ndescribe:\n  title: Roofs\n'),
    );
    expect(input.PADDING).toBe(32);
    expect(input.ZOOM_LEVEL).toBe('16');
    expect(input.resources).toEqual({ cpu: 8, memory_gb: '3.2', disk_size_gb: '10' });
    expect(input.describe).toEqual({ title: 'Roofs' });
    expect(fromYaml).toEqual(
      new Set(['PADDING', 'resources', 'resources.cpu', 'describe', 'describe.title']),
    );
  });

  it('lets empty YAML values neither fill nor clear the form', () => {
    const { input, fromYaml } = read(
      submitState(FILLED, 'resources:\nPADDING:\ngunicorn: {workers: null}'),
    );
    expect(input.resources).toEqual({ cpu: '4', memory_gb: '3.2', disk_size_gb: '10' });
    expect(input.PADDING).toBe('24');
    expect(input.gunicorn).toEqual({ workers: '2', backlog: '6', timeout: '60' });
    expect(fromYaml.has('PADDING')).toBe(false);
  });

  it('replaces a section the YAML gives as something other than a mapping, so the spec reports it', () => {
    const { input, fromYaml } = read(submitState(FILLED, 'resources: 4'));
    expect(input.resources).toBe(4);
    expect(fromYaml.has('resources')).toBe(true);
  });

  it('ignores a YAML box holding only blanks or comments', () => {
    expect(read(submitState(FILLED, '  \n')).fromYaml.size).toBe(0);
    expect(read(submitState(FILLED, '# nothing\n  # here')).fromYaml.size).toBe(0);
  });

  it('reports YAML syntax errors with their line', () => {
    const result = readSubmitForm(submitState(FILLED, 'PADDING: 24\nresources: {cpu: 4'));
    expect(result).toEqual({ errors: { yaml: expect.stringMatching(/line \d+, column \d+/) } });
  });

  it('names a key given twice', () => {
    const result = readSubmitForm(submitState(FILLED, 'PADDING: 24\nPADDING: 32'));
    expect(result).toEqual({
      errors: { yaml: expect.stringContaining('"PADDING" is given twice') },
    });
  });

  it('wants a mapping, not a list or a bare value', () => {
    expect(readSubmitForm(submitState(FILLED, '- PADDING: 24'))).toEqual({
      errors: { yaml: expect.stringContaining('a list') },
    });
    expect(readSubmitForm(submitState(FILLED, 'just words'))).toEqual({
      errors: { yaml: expect.stringContaining('"just words"') },
    });
  });

  it('keeps `__proto__` as a plain key (no prototype pollution) so the spec reports it', () => {
    const { input, fromYaml } = read(
      submitState(FILLED, '__proto__: {polluted: true}\nresources: {__proto__: {x: 1}}'),
    );
    expect(Object.hasOwn(input, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(input.resources as object, '__proto__')).toBe(true);
    const result = parseSpec(input);
    expect(result.ok).toBe(false);
    const errors = blockErrors(result.ok ? [] : result.errors, fromYaml);
    expect(Object.keys(errors)).toEqual([YAML_BLOCK_ID]);
    expect(errors.yaml).toContain('__proto__');
  });
});

describe('blockErrors', () => {
  const issue = (path: string, message: string): SpecIssue => ({ path, message });

  it('puts a form value’s error on its own block', () => {
    expect(
      blockErrors(
        [issue('PADDING', '300 is more than the Playground allows (0 to 256)')],
        new Set(),
      ),
    ).toEqual({
      PADDING: '300 is more than the Playground allows (0 to 256)',
    });
    expect(blockErrors([issue('resources.cpu', '3 is not a CPU count')], new Set())).toEqual({
      'resources.cpu': '3 is not a CPU count',
    });
  });

  it('puts a pasted value’s error on the YAML box, naming the key', () => {
    expect(
      blockErrors(
        [issue('PADDING', '300 is more than the Playground allows (0 to 256)')],
        new Set(['PADDING']),
      ),
    ).toEqual({
      yaml: 'PADDING: 300 is more than the Playground allows (0 to 256)',
    });
    expect(
      blockErrors(
        [issue('resources.cpu', '3 is not a CPU count')],
        new Set(['resources', 'resources.cpu']),
      ),
    ).toEqual({
      yaml: 'resources.cpu: 3 is not a CPU count',
    });
    // A section the YAML only partly set: its other values are still the form's.
    expect(
      blockErrors(
        [issue('resources.memory_gb', '3.2 is too little for 8 CPUs')],
        new Set(['resources', 'resources.cpu']),
      ),
    ).toEqual({ 'resources.memory_gb': '3.2 is too little for 8 CPUs' });
  });

  it('sends errors without a block of their own to the YAML box', () => {
    const errors = blockErrors(
      [
        issue('PADING', '"PADING" is not a field here; did you mean PADDING?'),
        issue('yaml', 'invalid YAML at line 2, column 1: bad'),
        issue('', 'expected a mapping'),
        issue('resources', 'expected a mapping like `resources: {cpu: ...}`, got the number 4'),
      ],
      new Set(),
    );
    expect(Object.keys(errors)).toEqual(['yaml']);
    expect(errors.yaml).toBe(
      [
        'PADING: "PADING" is not a field here; did you mean PADDING?',
        'Invalid YAML at line 2, column 1: bad',
        'Expected a mapping',
        'resources: expected a mapping like `resources: {cpu: ...}`, got the number 4',
      ].join('\n'),
    );
  });

  it('joins several errors for one block and stays within the length limit', () => {
    const two = blockErrors([issue('image', 'first'), issue('image', 'second')], new Set());
    expect(two).toEqual({ image: 'First\nSecond' });
    const many = Array.from({ length: 60 }, (_, i) => issue(`KEY_${i}`, `${'x'.repeat(80)} ${i}`));
    const capped = blockErrors(many, new Set()).yaml ?? '';
    expect([...capped].length).toBeLessThanOrEqual(BLOCK_ERROR_MAX);
    expect(capped).toMatch(/…and \d+ more$/);
    const long = blockErrors([issue('image', 'y'.repeat(5000))], new Set()).image ?? '';
    expect([...long].length).toBeLessThanOrEqual(BLOCK_ERROR_MAX);
  });

  it('keeps a form value’s error on its block when the YAML set a sibling', () => {
    const { input, fromYaml } = read(submitState(FILLED, 'resources: {cpu: 8}'));
    const result = parseSpec(input);
    const errors = blockErrors(result.ok ? [] : result.errors, fromYaml);
    expect(Object.keys(errors)).toEqual(['resources.memory_gb']);
    expect(errors['resources.memory_gb']).toMatch(/too little for 8 CPUs/);
  });

  it('routes real spec errors from a realistic submission to the right blocks', () => {
    const values = submitState(
      { ...FILLED, image: '', service: 'My_Service', 'resources.cpu': '3', PADDING: '24' },
      'PADDING: 300\nPADING: 2\ngunicorn: {workers: 0}',
    );
    const { input, fromYaml } = read(values);
    const result = parseSpec(input);
    expect(result.ok).toBe(false);
    const errors = blockErrors(result.ok ? [] : result.errors, fromYaml);
    expect(Object.keys(errors).sort()).toEqual(['image', 'resources.cpu', 'service', 'yaml']);
    expect(errors.yaml).toMatch(/^PADDING: 300 is more than/m);
    expect(errors.yaml).toMatch(/^PADING: .*did you mean PADDING/m);
    expect(errors.yaml).toMatch(/^gunicorn\.workers: 0 is less than/m);
    expect(errors.image).toMatch(/^Missing|^Empty/);
  });
});
