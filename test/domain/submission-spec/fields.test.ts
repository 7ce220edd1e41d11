import { describe, expect, it } from 'vitest';
import {
  formatIssue,
  parseSpec,
  SPEC_DEFAULTS,
  SPEC_FIELDS,
  specSchema,
  tileSettingProblem,
} from '../../../src/domain/submission-spec/index.ts';
import { errorsFor, errorsOf, expectOneError, expectValid, input } from './helpers.ts';

describe('ZOOM_LEVEL and PADDING', () => {
  it.each([
    ['ZOOM_LEVEL', 0],
    ['ZOOM_LEVEL', 22],
    ['PADDING', 0],
    ['PADDING', 256],
  ])('accept %s = %i (an edge)', (field, value) => {
    expect(expectValid({ [field]: value })[field as 'PADDING']).toBe(value);
  });

  it.each([
    ['16', 16],
    [' 16 ', 16],
    ['16.0', 16],
    ['+3', 3],
    [16.0, 16],
  ])('read %j as %i', (value, expected) => {
    expect(expectValid({ ZOOM_LEVEL: value }).ZOOM_LEVEL).toBe(expected);
    expect(expectValid({ PADDING: value }).PADDING).toBe(expected);
  });

  it.each([
    ['PADDING', 300, '300 is more than the Playground allows (0 to 256)'],
    ['PADDING', 257, '257 is more than the Playground allows (0 to 256)'],
    ['PADDING', -1, '-1 is less than the Playground allows (0 to 256)'],
    ['PADDING', '-1', '-1 is less than the Playground allows (0 to 256)'],
    ['ZOOM_LEVEL', 23, '23 is more than the Playground allows (0 to 22)'],
    ['ZOOM_LEVEL', 16.5, '16.5 is not a whole number; give a whole number from 0 to 22'],
    ['ZOOM_LEVEL', '16.5', '16.5 is not a whole number; give a whole number from 0 to 22'],
    ['ZOOM_LEVEL', 'sixteen', '"sixteen" is not a number; give a whole number from 0 to 22'],
    ['ZOOM_LEVEL', '0x10', '"0x10" is not a number; give a whole number from 0 to 22'],
    ['ZOOM_LEVEL', '1e1', '"1e1" is not a number; give a whole number from 0 to 22'],
    ['ZOOM_LEVEL', Number.NaN, 'NaN is not a usable number; give a whole number from 0 to 22'],
    [
      'ZOOM_LEVEL',
      Number.POSITIVE_INFINITY,
      'Infinity is not a usable number; give a whole number from 0 to 22',
    ],
    [
      'ZOOM_LEVEL',
      true,
      'expected a number, got true (a yes/no value); give a whole number from 0 to 22',
    ],
    ['ZOOM_LEVEL', [16], 'expected a number, got a list; give a whole number from 0 to 22'],
    ['ZOOM_LEVEL', { z: 16 }, 'expected a number, got a mapping; give a whole number from 0 to 22'],
    ['ZOOM_LEVEL', undefined, 'missing; give a whole number from 0 to 22'],
    ['ZOOM_LEVEL', null, 'missing; give a whole number from 0 to 22'],
    ['PADDING', '', 'missing; give a whole number from 0 to 256'],
    ['PADDING', '24\u0000', '"24\\u0000" is not a number; give a whole number from 0 to 256'],
  ])('reject %s = %j', (field, value, message) => {
    expectOneError({ [field]: value }, field, message);
  });

  it('formats for the CLI with the field name first', () => {
    const [error] = errorsFor({ PADDING: 300 });
    expect(error && formatIssue(error)).toBe(
      'PADDING: 300 is more than the Playground allows (0 to 256)',
    );
    expect(formatIssue({ path: '', message: 'expected a mapping' })).toBe('expected a mapping');
  });

  it('exposes the same rule as tileSettingProblem for the CLI', () => {
    expect(tileSettingProblem('padding', 24)).toBeUndefined();
    expect(tileSettingProblem('padding', 300)).toBe(
      '300 is more than the Playground allows (0 to 256)',
    );
    expect(tileSettingProblem('zoom', 16.5)).toMatch(/not a whole number/);
    expect(tileSettingProblem('zoom', Number.NaN)).toMatch(/not a usable number/);
    expect(tileSettingProblem('zoom', 22)).toBeUndefined();
  });
});

describe('gunicorn', () => {
  it('defaults to the seed values and fills in missing fields', () => {
    expect(expectValid({}).gunicorn).toEqual({ workers: 2, backlog: 6, timeout: 60 });
    expect(expectValid({ gunicorn: { workers: '4' } }).gunicorn).toEqual({
      workers: 4,
      backlog: 6,
      timeout: 60,
    });
  });

  it.each([
    ['workers', 1],
    ['workers', 64],
    ['backlog', 1],
    ['backlog', 2048],
    ['timeout', 1],
    ['timeout', 3600],
  ])('accepts %s = %i (an edge)', (field, value) => {
    // Enough CPUs that 64 workers do not trigger the workers warning.
    const result = parseSpec(
      input({ gunicorn: { [field]: value }, resources: { cpu: 32, memory_gb: 100 } }),
    );
    expect(result.ok && result.spec.gunicorn[field as 'workers']).toBe(value);
    expect(result.warnings).toEqual([]);
  });

  it.each([
    ['workers', 0, '0 is less than the Playground allows (1 to 64)'],
    ['workers', 65, '65 is more than the Playground allows (1 to 64)'],
    ['backlog', 0, '0 is less than the Playground allows (1 to 2048)'],
    ['backlog', 2049, '2049 is more than the Playground allows (1 to 2048)'],
    ['timeout', 0, '0 is less than the Playground allows (1 to 3600 seconds)'],
    ['timeout', 3601, '3601 is more than the Playground allows (1 to 3600 seconds)'],
    ['timeout', 1.5, '1.5 is not a whole number; give a whole number from 1 to 3600 seconds'],
    ['workers', -2, '-2 is less than the Playground allows (1 to 64)'],
  ])('rejects %s = %j', (field, value, message) => {
    expectOneError({ gunicorn: { [field]: value } }, `gunicorn.${field}`, message);
  });

  it('warns when workers exceed (2 x CPUs) + 1, without failing', () => {
    const result = parseSpec(input({ gunicorn: { workers: 4 }, resources: { cpu: 1 } }));
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      {
        path: 'gunicorn.workers',
        message:
          '4 workers on 1 CPU is more than gunicorn suggests ((2 x CPUs) + 1 = 3); each worker loads its own copy of the model, so memory may run out',
      },
    ]);
    expect(parseSpec(input({ gunicorn: { workers: 3 }, resources: { cpu: 1 } })).warnings).toEqual(
      [],
    );
    expect(parseSpec(input({ gunicorn: { workers: 10 } })).warnings.map((w) => w.path)).toEqual([
      'gunicorn.workers',
    ]);
  });
});

describe('describe', () => {
  it('defaults to {} and keeps only the fields given', () => {
    expect(expectValid({}).describe).toEqual({});
    expect(expectValid({ describe: null }).describe).toEqual({});
    expect(expectValid({ describe: { title: 'Ships', email: 'a@b.co' } }).describe).toStrictEqual({
      title: 'Ships',
      email: 'a@b.co',
    });
  });

  it('treats blank optional text as not given (what a Slack form sends)', () => {
    expect(
      expectValid({ describe: { title: '', description: '  ', organization: null } }).describe,
    ).toStrictEqual({});
  });

  it('trims and keeps line breaks and tabs in the description only', () => {
    const spec = expectValid({
      describe: {
        title: '  Ship detector ',
        description: '\n Line one\r\n\tLine two: "quoted" $x #y \n',
      },
    });
    expect(spec.describe).toEqual({
      title: 'Ship detector',
      description: 'Line one\n\tLine two: "quoted" $x #y',
    });
  });

  it.each([
    ['title', 100],
    ['organization', 100],
    ['description', 2000],
  ])('accepts %s of exactly %i characters (counting emoji as one)', (field, max) => {
    expect(
      expectValid({ describe: { [field]: 'é'.repeat(max) } }).describe[field as 'title'],
    ).toHaveLength(max);
    expect(
      expectValid({ describe: { [field]: '🙂'.repeat(max) } }).describe[field as 'title'],
    ).toHaveLength(2 * max);
    expectOneError(
      { describe: { [field]: 'x'.repeat(max + 1) } },
      `describe.${field}`,
      `too long: ${max + 1} characters (at most ${max})`,
    );
  });

  it.each([
    ['title', 'Two\nlines', 'contains a line break (character 4); keep it on one line'],
    ['organization', 'Tab\there', 'contains a tab (character 4); use spaces'],
    ['title', 'Nul\u0000', 'contains a NUL character (U+0000) (character 4); remove it'],
    ['description', 'Bell\u0007', 'contains a control character (U+0007) (character 5); remove it'],
    [
      'description',
      'Esc \u001b[31m',
      'contains a control character (U+001B) (character 5); remove it',
    ],
    ['description', 'Del\u007f', 'contains a control character (U+007F) (character 4); remove it'],
    ['description', 'C1\u0085', 'contains a control character (U+0085) (character 3); remove it'],
    ['description', 'a\u2028b', /contains a Unicode line separator \(U\+2028\)/],
    ['title', 'evil\u202Etxt.exe', /contains an invisible text-direction control \(U\+202E\)/],
    ['title', 'broken\ud800', 'contains a broken Unicode character (character 7); retype it'],
    [
      'email',
      'not-an-email',
      '"not-an-email" does not look like an email address (e.g. name@example.com)',
    ],
    ['email', 'a@b', /does not look like an email address/],
    ['email', 'a b@c.com', /does not look like an email address/],
    ['email', `${'x'.repeat(250)}@b.co`, 'too long: 255 characters (at most 254)'],
    ['title', 42, 'expected text, got the number 42; put it in quotes'],
  ])('rejects %s %j', (field, value, message) => {
    expectOneError({ describe: { [field]: value } }, `describe.${field}`, message);
  });

  it('accepts plausible email addresses', () => {
    for (const email of ['jane.doe@example.com', "o'brien@airbus.co.uk", 'a+tag@sub.example.io']) {
      expect(expectValid({ describe: { email } }).describe.email).toBe(email);
    }
  });
});

describe('strings everywhere', () => {
  it.each(['image', 'service', 'PREDICTOR_CLASS', 'PREDICTOR_PACKAGE'])(
    '%s rejects NUL clearly',
    (field) => {
      const base = input()[field] as string;
      expectOneError({ [field]: `${base}\u0000x` }, field, /contains a NUL character \(U\+0000\)/);
    },
  );
});

describe('unknown keys', () => {
  it.each([
    [
      'PADING',
      /^"PADING" is not a field here; did you mean PADDING\? \(allowed: image, service, ZOOM_LEVEL, PADDING, PREDICTOR_CLASS, PREDICTOR_PACKAGE, resources, gunicorn, describe\)$/,
    ],
    ['padding', /did you mean PADDING\?/],
    ['zoom_level', /did you mean ZOOM_LEVEL\?/],
    ['Zoom-Level', /did you mean ZOOM_LEVEL\?/],
    ['PREDICTOR_CLAS', /did you mean PREDICTOR_CLASS\?/],
    ['imag', /did you mean image\?/],
    ['servce', /did you mean service\?/],
    ['cpu', '"cpu" belongs under resources, e.g. `resources: {cpu: ...}`'],
    ['workers', '"workers" belongs under gunicorn, e.g. `gunicorn: {workers: ...}`'],
    ['title', '"title" belongs under describe, e.g. `describe: {title: ...}`'],
    ['colour', /^"colour" is not a field here \(allowed: image, /],
  ])('%j', (key, message) => {
    expectOneError({ [key]: 1 }, key, message);
  });

  it.each(['PROJECT_NAME', 'project_name', 'project', 'PROJECT_ID', 'GOOGLE_CLOUD_PROJECT'])(
    '%j gets the project-is-chosen-at-approval error',
    (key) => {
      expectOneError(
        { [key]: 'my-project' },
        key,
        `${JSON.stringify(key)} is not yours to set: the Playground team chooses the project when they approve the deployment; remove it`,
      );
    },
  );

  it('names unknown keys inside sections', () => {
    expectOneError(
      { resources: { cpus: 4 } },
      'resources.cpus',
      '"cpus" is not a field here; did you mean cpu? (allowed: cpu, memory_gb, disk_size_gb)',
    );
    expectOneError(
      { gunicorn: { threads: 4 } },
      'gunicorn.threads',
      '"threads" is not a field here (allowed: workers, backlog, timeout)',
    );
    expectOneError({ describe: { mail: 'a@b.co' } }, 'describe.mail', /did you mean email\?/);
  });

  it('ignores inherited properties and reports an own __proto__ key', () => {
    const withProto = JSON.parse('{"__proto__": {"PADDING": 1}}');
    expectOneError(withProto, '__proto__', /"__proto__" is not a field here/);
    const inherited = Object.assign(Object.create({ PADDING: 999 }), input());
    expect(errorsOf(parseSpec(inherited))[0]?.message).toMatch(/expected a mapping/);
  });
});

describe('the whole submission', () => {
  it('returns every error at once, in field order', () => {
    const result = parseSpec({
      image: 'MyOrg/Model',
      service: 'My_Service',
      ZOOM_LEVEL: '16.5',
      PADDING: 300,
      PREDICTOR_CLASS: 'class',
      PREDICTOR_PACKAGE: 'my-package.mod',
      PADING: 1,
      PROJECT_NAME: 'x',
      resources: { cpu: 3, disk_size_gb: 5 },
      gunicorn: { workers: 0, backlog: 'many', timeout: 0 },
      describe: { title: 'a\nb', email: 'nope' },
    });
    expect(errorsOf(result).map((error) => error.path)).toEqual([
      'PADING',
      'PROJECT_NAME',
      'image',
      'service',
      'ZOOM_LEVEL',
      'PADDING',
      'PREDICTOR_CLASS',
      'PREDICTOR_PACKAGE',
      'resources.cpu',
      'resources.disk_size_gb',
      'gunicorn.workers',
      'gunicorn.backlog',
      'gunicorn.timeout',
      'describe.title',
      'describe.email',
    ]);
  });

  it('reports every missing required field of an empty mapping', () => {
    expect(
      errorsOf(parseSpec({})).map((error) => [error.path, error.message.split(';')[0]]),
    ).toEqual([
      ['image', 'missing'],
      ['service', 'missing'],
      ['ZOOM_LEVEL', 'missing'],
      ['PADDING', 'missing'],
      ['PREDICTOR_CLASS', 'missing'],
      ['PREDICTOR_PACKAGE', 'missing'],
    ]);
  });

  it.each([
    [null, 'nothing'],
    [undefined, 'nothing'],
    ['image: x', 'text'],
    [[1, 2], 'a list'],
    [42, 'the number 42'],
    [new Map(), 'a Map'],
  ])('rejects a root of %j', (value, kind) => {
    const result = parseSpec(value);
    expect(result).toEqual({
      ok: false,
      errors: [
        { path: '', message: `expected a mapping of fields like \`image: ...\`, got ${kind}` },
      ],
      warnings: [],
    });
  });

  it('never throws, even for objects whose getters throw', () => {
    const hostile = input();
    Object.defineProperty(hostile, 'PADDING', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(parseSpec(hostile)).toEqual({
      ok: false,
      errors: [{ path: '', message: 'could not be read as a submission' }],
      warnings: [],
    });
  });

  it('accepts a null-prototype mapping', () => {
    expect(parseSpec(Object.assign(Object.create(null), input())).ok).toBe(true);
  });

  it('lists the fields in display order and freezes the defaults', () => {
    expect(SPEC_FIELDS).toEqual([
      'image',
      'service',
      'ZOOM_LEVEL',
      'PADDING',
      'PREDICTOR_CLASS',
      'PREDICTOR_PACKAGE',
      'resources',
      'gunicorn',
      'describe',
    ]);
    expect(SPEC_DEFAULTS).toEqual({
      resources: { cpu: 4, memory_gb: 3.2, disk_size_gb: 10 },
      gunicorn: { workers: 2, backlog: 6, timeout: 60 },
    });
    expect(Object.isFrozen(SPEC_DEFAULTS.resources)).toBe(true);
    expect(Object.isFrozen(SPEC_FIELDS)).toBe(true);
  });

  it('returns fresh section objects, not the shared defaults', () => {
    const first = expectValid({});
    first.resources.cpu = 8;
    expect(expectValid({}).resources.cpu).toBe(4);
  });
});

describe('specSchema', () => {
  it('parses to the same Spec as parseSpec', () => {
    const result = specSchema.safeParse(input({ PADDING: '24' }));
    expect(result.success && result.data).toEqual(expectValid({}));
  });

  it('reports the same errors with zod paths', () => {
    const result = specSchema.safeParse(input({ PADDING: 300, resources: { cpu: 3 } }));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path, issue.message])).toEqual([
      [['PADDING'], '300 is more than the Playground allows (0 to 256)'],
      [['resources', 'cpu'], expect.stringMatching(/^3 is not a CPU count/)],
    ]);
  });
});
