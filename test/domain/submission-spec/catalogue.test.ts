import { describe, expect, it } from 'vitest';
import {
  isRequired,
  parseSpec,
  SPEC_CATALOGUE,
  SPEC_DEFAULTS,
  type SpecField,
} from '../../../src/domain/submission-spec/index.ts';
import { sampleSpec } from '../../helpers/sample-spec.ts';

/** The errors at `field`'s path for the sample spec with `field` set to `value`. */
function errorsWith(field: SpecField, value: unknown) {
  // Memory is checked per CPU too: 1 CPU allows the least, 80 the most.
  const cpu = field.path === 'resources.memory_gb' && Number(value) < 10 ? 1 : 80;
  const input = sampleSpec({
    resources: { cpu, memory_gb: 100, disk_size_gb: 10 },
  }) as unknown as Record<string, unknown>;
  const [key, child] = field.path.split('.') as [string, string | undefined];
  if (child === undefined) input[key] = value;
  else input[key] = { ...(input[key] as object), [child]: value };
  const result = parseSpec(input);
  return result.ok ? [] : result.errors.filter((error) => error.path === field.path);
}

describe('the spec catalogue', () => {
  it('holds each path of a spec once', () => {
    const spec = sampleSpec({
      describe: {
        title: 'Roofs',
        description: 'Finds roofs.',
        organization: 'Acme',
        email: 'a@b.co',
      },
    });
    const leaves = Object.entries(spec).flatMap(([key, value]) =>
      typeof value === 'object' ? Object.keys(value).map((child) => `${key}.${child}`) : [key],
    );
    expect(SPEC_CATALOGUE.map((field) => field.path).sort()).toEqual(leaves.sort());
  });

  it('gives the defaults the spec applies, and those exactly for the optional numbers', () => {
    const spec = parseSpec(sampleSpec({ resources: undefined, gunicorn: undefined }));
    expect(spec.ok && { resources: spec.spec.resources, gunicorn: spec.spec.gunicorn }).toEqual(
      SPEC_DEFAULTS,
    );
    for (const field of SPEC_CATALOGUE) {
      if (field.kind !== 'number') continue;
      expect(field.default === undefined, field.path).toBe(isRequired(field));
    }
  });

  it('states the bounds validation enforces', () => {
    // A form built from the catalogue refuses what the spec accepts (or the reverse) if
    // these drift apart.
    for (const field of SPEC_CATALOGUE) {
      if (field.kind !== 'number') continue;
      const step = field.rule.whole ? 1 : 0.1;
      expect(errorsWith(field, field.rule.min), `${field.path} = min`).toEqual([]);
      expect(errorsWith(field, field.rule.max), `${field.path} = max`).toEqual([]);
      expect(errorsWith(field, field.rule.min - step), `${field.path} below min`).toHaveLength(1);
      expect(errorsWith(field, field.rule.max + step), `${field.path} above max`).toHaveLength(1);
    }
  });

  it('states the longest text validation accepts', () => {
    const fill = (field: SpecField, length: number) =>
      field.path === 'describe.email' ? `${'a'.repeat(length - 9)}@acme.com` : 'a'.repeat(length);
    for (const field of SPEC_CATALOGUE) {
      if (field.kind !== 'text') continue;
      // No image name reaches the 512 characters the field allows (a name is at most 255,
      // plus tag and digest); only the bound itself is checked there.
      if (field.path !== 'image') {
        const longest = fill(field, field.maxLength);
        expect(errorsWith(field, longest), `${field.path} at max length`).toEqual([]);
      }
      const over = fill(field, field.maxLength + 1);
      expect(errorsWith(field, over), `${field.path} over max length`).toHaveLength(1);
    }
  });
});
