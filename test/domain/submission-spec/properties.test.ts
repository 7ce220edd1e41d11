import fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  parseSpec,
  parseSpecYaml,
  SPEC_FIELDS,
  type SpecResult,
  type SubmissionSpec,
} from '../../../src/domain/submission-spec/index.ts';
import { validSpecArb } from './arbitraries.ts';

function expectWellFormed(result: SpecResult): void {
  expect(typeof result.ok).toBe('boolean');
  expect(Array.isArray(result.warnings)).toBe(true);
  const issues = result.ok ? result.warnings : [...result.errors, ...result.warnings];
  if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(typeof issue.path).toBe('string');
    expect(typeof issue.message).toBe('string');
    expect(issue.message.length).toBeGreaterThan(0);
  }
}

describe('valid specs round-trip', () => {
  it('parseSpec(spec) returns the same spec', () => {
    fc.assert(
      fc.property(validSpecArb, (spec) => {
        const result = parseSpec(spec);
        if (!result.ok) throw new Error(JSON.stringify(result.errors));
        expect(result.spec).toStrictEqual(spec);
      }),
      { numRuns: 500 },
    );
  });

  it('through JSON and through YAML as well', () => {
    fc.assert(
      fc.property(validSpecArb, (spec) => {
        const viaJson = parseSpec(JSON.parse(JSON.stringify(spec)));
        expect(viaJson.ok && viaJson.spec).toStrictEqual(spec);
        const viaYaml = parseSpecYaml(dump(spec));
        if (!viaYaml.ok) throw new Error(JSON.stringify(viaYaml.errors));
        expect(viaYaml.spec).toStrictEqual(spec);
      }),
      { numRuns: 300 },
    );
  });

  it('numbers given as text (as a Slack form sends them) give the same spec', () => {
    fc.assert(
      fc.property(validSpecArb, (spec) => {
        const asText = {
          ...spec,
          ZOOM_LEVEL: String(spec.ZOOM_LEVEL),
          PADDING: ` ${spec.PADDING} `,
          resources: {
            cpu: String(spec.resources.cpu),
            memory_gb: String(spec.resources.memory_gb),
            disk_size_gb: String(spec.resources.disk_size_gb),
          },
          gunicorn: {
            workers: String(spec.gunicorn.workers),
            backlog: String(spec.gunicorn.backlog),
            timeout: String(spec.gunicorn.timeout),
          },
        };
        const result = parseSpec(asText);
        expect(result.ok && result.spec).toStrictEqual(spec);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseSpec never throws', () => {
  it('for any value at all', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withNullPrototype: true,
          withMap: true,
          withSet: true,
          withBigInt: true,
          withDate: true,
        }),
        (value) => {
          expectWellFormed(parseSpec(value));
        },
      ),
      { numRuns: 500 },
    );
  });

  const anyField = fc.oneof(
    fc.anything({ withBigInt: true, withDate: true, withNullPrototype: true }),
    fc.string({ unit: 'binary' }),
    fc.double(),
    fc.integer().map(String),
  );

  it('for any value in any field, nested fields included', () => {
    const fieldArb = fc.constantFrom(
      ...SPEC_FIELDS,
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
      'PROJECT_NAME',
      'unknown',
    );
    fc.assert(
      fc.property(
        validSpecArb,
        fc.array(fc.tuple(fieldArb, anyField), { minLength: 1, maxLength: 4 }),
        (spec, changes) => {
          const input: Record<string, unknown> = { ...structuredClone(spec) };
          for (const [path, value] of changes) {
            const [section, field] = path.split('.');
            if (field === undefined) input[path] = value;
            else
              input[section as string] = {
                ...(input[section as string] as object),
                [field]: value,
              };
          }
          expectWellFormed(parseSpec(input));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('for any YAML-ish text', () => {
    const yamlish = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .array(
          fc.constantFrom(
            'image: ',
            'PADDING: ',
            '- ',
            '  ',
            ': ',
            '{',
            '}',
            '[',
            ']',
            '"',
            "'",
            '\n',
            '#',
            '&a ',
            '*a',
            '!!str ',
            '? ',
            '|\n',
            'x',
            '1',
            '---\n',
          ),
        )
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        expectWellFormed(parseSpecYaml(text));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('metacharacters never reach identifiers', () => {
  const META = [
    '$',
    '`',
    '"',
    "'",
    '\n',
    ';',
    '{',
    '}',
    '|',
    '&',
    '<',
    '>',
    '(',
    ')',
    '\\',
    ' ',
    '#',
    '*',
    '?',
    '!',
    '\t',
    '\r',
    '\u0000',
  ];
  const fields = ['image', 'service', 'PREDICTOR_CLASS', 'PREDICTOR_PACKAGE'] as const;

  it('image, service and PREDICTOR_* reject any value containing one', () => {
    fc.assert(
      fc.property(
        validSpecArb,
        fc.constantFrom(...fields),
        fc.constantFrom(...META),
        fc.nat(),
        (spec: SubmissionSpec, field, meta, at) => {
          const value = spec[field];
          // Inside the value (never at an end, where trimming would remove whitespace).
          const cut = 1 + (at % value.length);
          const tainted = `${value.slice(0, cut)}${meta}x${value.slice(cut)}`;
          const result = parseSpec({ ...spec, [field]: tainted });
          expect(result.ok).toBe(false);
          expect(!result.ok && result.errors.map((error) => error.path)).toEqual([field]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
