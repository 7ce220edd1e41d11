import { kindOf, type Report, show } from './issues.ts';

/** How a text field is read. */
interface TextRule {
  /** Set for required fields: what to ask for when the value is missing or empty. */
  required?: string;
  /** Maximum length in characters (code points, as a person counts them). */
  max: number;
  /** Allows line breaks and tabs (the description); every other field is one line. */
  multiline?: boolean;
}

/**
 * Reads a text field: trimmed, one line unless `multiline`, without control characters.
 * Returns undefined when absent (optional field) or invalid (reported).
 * Empty or blank optional text counts as absent: a Slack form sends '' for an untouched input.
 */
export function readText(value: unknown, report: Report, rule: TextRule): string | undefined {
  if (value === undefined || value === null) {
    if (rule.required) report(`missing; ${rule.required}`);
    return undefined;
  }
  if (typeof value !== 'string') {
    // YAML turns `title: 2024` or `service: yes` into a number or boolean.
    const quote =
      typeof value === 'number' || typeof value === 'boolean' ? '; put it in quotes' : '';
    report(`expected text, got ${kindOf(value)}${quote}`);
    return undefined;
  }
  let text = value.trim();
  if (rule.multiline) text = text.replace(/\r\n?/g, '\n');
  if (text === '') {
    if (rule.required) report(`empty; ${rule.required}`);
    return undefined;
  }
  const bad = forbiddenCharacter(text, rule.multiline === true);
  if (bad) {
    report(bad);
    return undefined;
  }
  const length = [...text].length;
  if (length > rule.max) {
    report(`too long: ${length} characters (at most ${rule.max})`);
    return undefined;
  }
  return text;
}

const BIDI_CONTROLS = new Set([
  0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
]);

/**
 * Finds a character no spec field may hold: C0/C1 controls (NUL included), broken UTF-16,
 * Unicode line separators (they end lines in some parsers but not others) and invisible
 * text-direction overrides (they make text display differently from what it is).
 * Newline and tab are allowed only in multi-line text.
 */
function forbiddenCharacter(text: string, multiline: boolean): string | undefined {
  let position = 0;
  for (const char of text) {
    position += 1;
    const code = char.codePointAt(0) ?? 0;
    const at = `(character ${position})`;
    if (code === 0x0a || code === 0x0d) {
      if (!multiline) return `contains a line break ${at}; keep it on one line`;
    } else if (code === 0x09) {
      if (!multiline) return `contains a tab ${at}; use spaces`;
    } else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
      const name = code === 0 ? 'a NUL character' : 'a control character';
      return `contains ${name} (${codePoint(code)}) ${at}; remove it`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      return `contains a broken Unicode character ${at}; retype it`;
    } else if (code === 0x2028 || code === 0x2029) {
      return `contains a Unicode line separator (${codePoint(code)}) ${at}; use a plain line break or remove it`;
    } else if (BIDI_CONTROLS.has(code)) {
      return `contains an invisible text-direction control (${codePoint(code)}) ${at}; remove it`;
    }
  }
  return undefined;
}

function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** How a numeric field is read. */
export interface NumberRule {
  min: number;
  max: number;
  /** Integers only (everything except memory_gb). */
  whole: boolean;
  /** Required fields report a missing value; optional ones return undefined (the default applies). */
  required?: boolean;
  /** Who sets the limit, for the message: "the Playground" or "App Engine". */
  who?: string;
  /** Unit after the range, e.g. " GB". */
  unit?: string;
}

const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

/** The allowed range as a person reads it: "a whole number from 0 to 256". */
function describeRange(rule: NumberRule): string {
  return `${rule.whole ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}${rule.unit ?? ''}`;
}

/**
 * Reads a number, also from numeric text ("16": Slack inputs are text). Range errors say
 * the allowed range, e.g. `300 is more than the Playground allows (0 to 256)`.
 */
export function readNumber(value: unknown, report: Report, rule: NumberRule): number | undefined {
  const wanted = describeRange(rule);
  let number: number;
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    if (rule.required) report(`missing; give ${wanted}`);
    return undefined;
  }
  if (typeof value === 'number') {
    number = value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (!NUMERIC_TEXT.test(text)) {
      report(`${show(value)} is not a number; give ${wanted}`);
      return undefined;
    }
    number = Number(text);
  } else {
    report(`expected a number, got ${kindOf(value)}; give ${wanted}`);
    return undefined;
  }
  if (!Number.isFinite(number)) {
    report(`${show(value)} is not a usable number; give ${wanted}`);
    return undefined;
  }
  if (rule.whole && !Number.isInteger(number)) {
    report(`${number} is not a whole number; give ${wanted}`);
    return undefined;
  }
  const allowed = `(${rule.min} to ${rule.max}${rule.unit ?? ''})`;
  const who = rule.who ?? 'the Playground';
  if (number < rule.min) {
    report(`${number} is less than ${who} allows ${allowed}`);
    return undefined;
  }
  if (number > rule.max) {
    report(`${number} is more than ${who} allows ${allowed}`);
    return undefined;
  }
  return number === 0 ? 0 : number; // -0 would print as 0 but not compare Object.is-equal
}

/** Whether a partner gave a value; blank text is what Slack sends for an untouched input. */
export function given(value: unknown): boolean {
  return (
    value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')
  );
}

/** A plain `{...}` object, as YAML mappings and JSON objects are. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Reads an own property only, so `__proto__` and inherited names never leak in. */
export function own(mapping: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(mapping, key) ? mapping[key] : undefined;
}
