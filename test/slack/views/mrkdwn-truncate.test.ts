import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { context, section, sectionsOf } from '../../../src/slack/views/kit.ts';
import { escapeMrkdwn, truncateMrkdwn } from '../../../src/slack/views/mrkdwn.ts';

// Everything a cut may leave whole or drop, but never split.
const UNITS = ['&amp;', '&lt;', '&gt;', '<https://example.com/a|a link>', '<@U12345>', '<!here>'];

/** The text with every whole unit removed: what is left must hold no `&…;` or `<`/`>` piece. */
function withoutUnits(text: string): string {
  return text.replace(/&(?:amp|lt|gt);|<[^<>]*>/g, '');
}

const mrkdwnArb = fc
  .array(fc.oneof(fc.constantFrom(...UNITS), fc.string({ unit: 'grapheme-ascii', maxLength: 3 })), {
    maxLength: 30,
  })
  .map((parts) => parts.map((p) => (UNITS.includes(p) ? p : p.replace(/[&<>]/g, ''))).join(''));

describe('truncateMrkdwn', () => {
  it('leaves text within the limit as it is', () => {
    expect(truncateMrkdwn('a &amp; b', 9)).toBe('a &amp; b');
  });

  it('cuts before an entity it would split', () => {
    expect(truncateMrkdwn('ab &amp; cd', 6)).toBe('ab …');
  });

  it('cuts before a link it would split', () => {
    expect(truncateMrkdwn('see <https://example.com|docs> now', 12)).toBe('see …');
  });

  it('never splits an entity or a link, keeps a prefix and stays within the limit', () => {
    fc.assert(
      fc.property(mrkdwnArb, fc.integer({ min: 1, max: 60 }), (text, max) => {
        const cut = truncateMrkdwn(text, max);
        expect([...cut].length).toBeLessThanOrEqual(max);
        if (cut === text) return;
        expect(cut.endsWith('…')).toBe(true);
        const kept = cut.slice(0, -1);
        expect(text.startsWith(kept)).toBe(true);
        expect(withoutUnits(kept)).not.toMatch(/[&<>]/);
      }),
    );
  });
});

describe('kit blocks cut mrkdwn whole', () => {
  const long = `${'x'.repeat(2995)}${escapeMrkdwn('R&D <team>')}`;

  it('section() does not end inside an escaped entity', () => {
    const text = section(long).text?.text ?? '';
    expect(text).toBe(`${'x'.repeat(2995)}R…`);
  });

  it('context() and sectionsOf() do not end inside a link', () => {
    const linked = `${'y'.repeat(2990)} <https://example.com|docs>`;
    const cut = `${'y'.repeat(2990)} …`;
    const element = context(linked).elements[0];
    expect(element && 'text' in element ? element.text : '').toBe(cut);
    expect(sectionsOf([linked])[0]?.text?.text).toBe(cut);
  });
});
