// fast-check generators for submission specs. `validSpecArb` yields specs that parseSpec
// accepts unchanged (already normalised and trimmed), with describe texts full of
// characters that break naive YAML, shell or Python templating; renderer tests use it
// to prove no accepted value escapes its place in a generated file.
import fc from 'fast-check';
import {
  PYTHON_KEYWORDS,
  PYTHON_SOFT_KEYWORDS,
  type SubmissionSpec,
} from '../../../src/domain/submission-spec/index.ts';

// Specs are plain objects, as JSON, YAML and Slack produce; fast-check would otherwise
// sometimes build null-prototype ones, which deep equality tells apart.
const PLAIN = { noNullPrototype: true } as const;

const short = (arb: fc.Arbitrary<string>, max: number) => arb.filter((text) => text.length <= max);

/** One Docker path component, per Docker's grammar. */
const pathComponentArb = short(
  fc.stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/, { size: 'xsmall' }),
  20,
);

const registryArb = fc.constantFrom(
  'docker.io',
  'eu.gcr.io',
  'gcr.io',
  'europe-docker.pkg.dev',
  'localhost:5000',
  'registry.example.com:8443',
  '10.0.0.1:5000',
);

const tagArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1.0.3', 'latest', 'v2', '2024-01-01', 'GPU_build.7'),
  short(fc.stringMatching(/^\w[\w.-]{0,127}$/, { size: 'small' }), 128),
);

const digestArb = fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`);

/** A normalised reference: Docker Hub images spell out `docker.io` and `library/`. */
export const imageArb: fc.Arbitrary<string> = fc
  .record({
    registry: registryArb,
    path: fc.array(pathComponentArb, { minLength: 1, maxLength: 4 }),
    tag: fc.option(tagArb, { nil: undefined }),
    digest: fc.option(digestArb, { nil: undefined }),
  })
  .map(({ registry, path, tag, digest }) => {
    const repository = registry === 'docker.io' && path.length === 1 ? ['library', ...path] : path;
    return `${registry}/${repository.join('/')}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  });

export const serviceArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('default-model', 'my-service', 'a', '0', 'x'.repeat(63)),
  fc.stringMatching(/^[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?$/),
);

const identifierArb = short(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]*$/, { size: 'xsmall' }), 30);

export const classNameArb: fc.Arbitrary<string> = identifierArb.filter(
  (name) => !PYTHON_KEYWORDS.includes(name) && !PYTHON_SOFT_KEYWORDS.includes(name),
);

export const modulePathArb: fc.Arbitrary<string> = fc
  .array(
    identifierArb.filter((name) => !PYTHON_KEYWORDS.includes(name)),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) => parts.join('.'))
  // `pkg.py` is refused on purpose (it reads as a file name: python-names.ts), so a valid
  // module path never ends in a part named `py`.
  .filter((path) => !/\.py$/.test(path));

const CPUS = [
  1,
  ...Array.from({ length: 16 }, (_, i) => 2 * (i + 1)),
  36,
  40,
  44,
  48,
  52,
  56,
  60,
  64,
  68,
  72,
  76,
  80,
];

/** CPU, memory within App Engine's range for that CPU count (in hundredths), disk. */
export const resourcesArb: fc.Arbitrary<SubmissionSpec['resources']> = fc
  .constantFrom(...CPUS)
  .chain((cpu) =>
    fc.record(
      {
        cpu: fc.constant(cpu),
        memory_gb: fc
          .oneof(
            fc.integer({ min: 90 * cpu - 40, max: 650 * cpu - 40 }),
            fc.constantFrom(90 * cpu - 40, 650 * cpu - 40), // the exact edges
          )
          .map((hundredths) => hundredths / 100),
        disk_size_gb: fc.oneof(fc.integer({ min: 10, max: 10240 }), fc.constantFrom(10, 10240)),
      },
      PLAIN,
    ),
  );

export const gunicornArb: fc.Arbitrary<SubmissionSpec['gunicorn']> = fc.record(
  {
    workers: fc.integer({ min: 1, max: 64 }),
    backlog: fc.integer({ min: 1, max: 2048 }),
    timeout: fc.integer({ min: 1, max: 3600 }),
  },
  PLAIN,
);

/** Pieces that trip up YAML, shell, Python and template rendering when not escaped. */
const TRICKY = [
  '"',
  "'",
  '$',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${...} is the point
  '${HOME}',
  '$(id)',
  '`id`',
  '#',
  ' # not a comment',
  ': ',
  '- ',
  '-',
  '{{',
  '}}',
  '{%',
  '%s',
  '\\',
  '\\n',
  '&anchor',
  '*alias',
  '!tag',
  '|',
  '>',
  '?',
  '@',
  '[',
  ']',
  '{',
  '}',
  ',',
  ';',
  '~',
  'null',
  'true',
  'no',
  '0x1F',
  '1e3',
  '<<',
  '---',
  '...',
  '"""',
  "'''",
  'é',
  'ß',
  '日本語',
  '🙂',
  '👩‍🔬',
  'Ω',
  '\u00a0',
  ' ',
];

// Mirrors the spec's forbidden characters independently: controls, surrogates, line
// separators and bidi overrides.
const FORBIDDEN = /[\p{Cc}\p{Cs}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

const pieceArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: 'grapheme', maxLength: 4 })
      .filter((text) => !FORBIDDEN.test(text)),
  },
);

/** Text as the spec stores it: trimmed, non-empty, at most `max` characters. */
function textArb(max: number, multiline: boolean): fc.Arbitrary<string> {
  const piece = multiline
    ? fc.oneof({ weight: 6, arbitrary: pieceArb }, fc.constantFrom('\n', '\n\n', '\t'))
    : pieceArb;
  return fc
    .array(piece, { minLength: 1, maxLength: 12 })
    .map((pieces) => {
      const text = pieces.join('').trim();
      return [...text].slice(0, max).join('').trim();
    })
    .filter((text) => text !== '');
}

const emailArb = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9]{1,8}(?:[._+'-][a-z0-9]{1,8}){0,2}$/),
    fc.stringMatching(/^[a-z0-9]{1,10}(?:-[a-z0-9]{1,5})?(?:\.[a-z0-9]{1,8}){0,2}\.[a-z]{2,6}$/),
  )
  .map(([local, domain]) => `${local}@${domain}`);

export const describeArb: fc.Arbitrary<SubmissionSpec['describe']> = fc.record(
  {
    title: textArb(100, false),
    description: textArb(2000, true),
    organization: textArb(100, false),
    email: emailArb,
  },
  { requiredKeys: [], noNullPrototype: true },
);

/** Any spec parseSpec accepts and returns unchanged. */
export const validSpecArb: fc.Arbitrary<SubmissionSpec> = fc.record(
  {
    image: imageArb,
    service: serviceArb,
    ZOOM_LEVEL: fc.integer({ min: 0, max: 22 }),
    PADDING: fc.integer({ min: 0, max: 256 }),
    PREDICTOR_CLASS: classNameArb,
    PREDICTOR_PACKAGE: modulePathArb,
    resources: resourcesArb,
    gunicorn: gunicornArb,
    describe: describeArb,
  },
  PLAIN,
);
