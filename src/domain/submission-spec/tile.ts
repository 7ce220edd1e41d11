import { type NumberRule, readNumber } from './values.ts';

// Web map tile zoom levels stop at 22 (about 4 cm per pixel at the equator with 256 px
// tiles), beyond any imagery the Playground serves.
export const ZOOM_RULE: NumberRule = Object.freeze({
  min: 0,
  max: 22,
  whole: true,
  required: true,
});
// Padding is pixels of context fetched around the tile; 256 is a whole extra tile on each
// side, the most the Playground's tile engine fetches.
export const PADDING_RULE: NumberRule = Object.freeze({
  min: 0,
  max: 256,
  whole: true,
  required: true,
});

/**
 * The same ZOOM_LEVEL / PADDING rule for callers outside a spec (the CLI's `check
 * --zoom/--padding`): undefined when fine, else the message.
 */
export function tileSettingProblem(name: 'zoom' | 'padding', value: unknown): string | undefined {
  let problem: string | undefined;
  readNumber(value, (message) => (problem ??= message), name === 'zoom' ? ZOOM_RULE : PADDING_RULE);
  return problem;
}
