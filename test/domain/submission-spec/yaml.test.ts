import { describe, expect, it } from 'vitest';
import {
  parseSpecYaml,
  SPEC_YAML_MAX,
  type SubmissionSpec,
  yamlSizeProblem,
} from '../../../src/domain/submission-spec/index.ts';
import { sampleSpec } from '../../helpers/sample-spec.ts';

// The example from DESIGN.md section 2, in the seed's own words, describe line aside.
const SEED_EXAMPLE = `image: eu.gcr.io/theplayground_repo/my_service:1.0.3
service: my-service          # App Engine service id
ZOOM_LEVEL: 16
PADDING: 24
PREDICTOR_CLASS: MyPredictor
PREDICTOR_PACKAGE: my_package.my_module
resources: {cpu: 4, memory_gb: 3.2, disk_size_gb: 10}   # optional, these defaults
gunicorn: {workers: 2, backlog: 6, timeout: 60}         # optional, these defaults
`;

const SEED_SPEC: SubmissionSpec = sampleSpec();

function yamlError(text: string): string {
  const result = parseSpecYaml(text);
  if (result.ok) throw new Error('expected a YAML error');
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]?.path).toBe('yaml');
  return result.errors[0]?.message ?? '';
}

describe('parseSpecYaml', () => {
  it("parses the seed's example to exactly the expected spec", () => {
    expect(parseSpecYaml(SEED_EXAMPLE)).toStrictEqual({ ok: true, spec: SEED_SPEC, warnings: [] });
  });

  it('gives the same spec when the optional sections are left out', () => {
    const required = SEED_EXAMPLE.split('\n').slice(0, 6).join('\n');
    expect(parseSpecYaml(required)).toStrictEqual({ ok: true, spec: SEED_SPEC, warnings: [] });
  });

  it('reads the describe section, block scalars included', () => {
    const text = `${SEED_EXAMPLE}describe:
  title: "Ship detection: v2"
  description: |
    Finds ships in harbours.
    Trained on 'Pléiades' imagery; # is not a comment here
  organization: Airbus DS
  email: team@example.com
`;
    const result = parseSpecYaml(text);
    expect(result.ok && result.spec.describe).toStrictEqual({
      title: 'Ship detection: v2',
      description:
        "Finds ships in harbours.\nTrained on 'Pléiades' imagery; # is not a comment here",
      organization: 'Airbus DS',
      email: 'team@example.com',
    });
  });

  it('accepts Windows line endings', () => {
    expect(parseSpecYaml(SEED_EXAMPLE.replace(/\n/g, '\r\n'))).toStrictEqual({
      ok: true,
      spec: SEED_SPEC,
      warnings: [],
    });
  });

  it.each(['', '   ', '\n\n', '# just a comment\n  # another\n'])('says %j is empty', (text) => {
    expect(yamlError(text)).toBe(
      'empty; paste the spec, starting with a line like `image: eu.gcr.io/my-project/my-model:1.0.3`',
    );
  });

  it('names the duplicated key with its line and column', () => {
    expect(yamlError(`${SEED_EXAMPLE}PADDING: 32\n`)).toBe(
      'invalid YAML at line 9, column 1: "PADDING" is given twice; give each field once',
    );
    expect(yamlError('resources:\n  cpu: 2\n  cpu: 4\n')).toBe(
      'invalid YAML at line 3, column 3: "cpu" is given twice; give each field once',
    );
  });

  it.each([
    [
      'image: [unclosed',
      /^invalid YAML at line 1, column 17: unexpected end of the stream within a flow collection$/,
    ],
    ['image: a: b', /^invalid YAML at line 1, column 9: bad indentation of a mapping entry$/],
    ['image: x\n  bad: indent\n', /^invalid YAML at line 2, column \d+: /],
    ['image: "unterminated\n', /^invalid YAML at line \d+, column \d+: /],
    ['a: 1\n---\nb: 2\n', /^invalid YAML: expected a single document/],
    ['image: !!binary aGk=', /^invalid YAML at line 1, column 8: unknown scalar tag/],
    ['image: !custom x', /^invalid YAML at line 1, column \d+: /],
  ])('reports a syntax error in %j with its position', (text, message) => {
    expect(yamlError(text)).toMatch(message);
  });

  it.each([
    ['- image: x\n- service: y\n', 'a list'],
    ['just some text', 'text'],
    ['42', 'the number 42'],
    ['null', 'nothing'],
  ])('asks for a mapping when the document is %j', (text, kind) => {
    const result = parseSpecYaml(text);
    expect(result).toStrictEqual({
      ok: false,
      errors: [
        { path: '', message: `expected a mapping of fields like \`image: ...\`, got ${kind}` },
      ],
      warnings: [],
    });
  });

  it('rejects text of more than SPEC_YAML_MAX bytes, before parsing it', () => {
    expect(yamlError(`# ${'x'.repeat(SPEC_YAML_MAX)}\n`)).toBe(
      'too long: at most 65,536 bytes; this is 65,539 (a spec is a few lines)',
    );
    // Bytes, not characters: 32,768 two-byte characters are exactly the limit.
    expect(yamlSizeProblem('é'.repeat(SPEC_YAML_MAX / 2))).toBeUndefined();
    expect(yamlSizeProblem(`é${'é'.repeat(SPEC_YAML_MAX / 2)}`)).toBe(
      'at most 65,536 bytes; this is 65,538',
    );
  });

  it('reports field errors and warnings from YAML like from an object', () => {
    const result = parseSpecYaml(
      SEED_EXAMPLE.replace(':1.0.3', '').replace('PADDING: 24', 'PADDING: 300\nPADING: 2'),
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((error) => error.path)).toEqual(['PADING', 'PADDING']);
    expect(result.warnings.map((warning) => warning.path)).toEqual(['image']);
  });

  it('keeps YAML numbers and booleans out of text fields', () => {
    const result = parseSpecYaml(
      SEED_EXAMPLE.replace('service: my-service', 'service: 2024').replace('MyPredictor', 'true'),
    );
    expect(!result.ok && result.errors).toEqual([
      { path: 'service', message: 'expected text, got the number 2024; put it in quotes' },
      {
        path: 'PREDICTOR_CLASS',
        message: 'expected text, got true (a yes/no value); put it in quotes',
      },
    ]);
  });

  it('does not treat YAML 1.1 words as booleans or dates (core schema)', () => {
    const result = parseSpecYaml(
      `${SEED_EXAMPLE}describe: {title: yes, organization: 2001-12-14}\n`,
    );
    expect(result.ok && result.spec.describe).toEqual({ title: 'yes', organization: '2001-12-14' });
  });

  it('treats an empty section as defaults', () => {
    const result = parseSpecYaml(
      `${SEED_EXAMPLE.split('\n').slice(0, 6).join('\n')}\nresources:\ngunicorn:\n`,
    );
    expect(result).toStrictEqual({ ok: true, spec: SEED_SPEC, warnings: [] });
  });
});
