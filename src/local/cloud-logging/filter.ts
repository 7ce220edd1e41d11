// The part of the Logging query language (https://cloud.google.com/logging/docs/view/logging-query-language)
// that the Cloud Logging stand-in understands: comparisons of one field with one quoted
// string, `=` (equal) or `=~` (regular expression search), and of `timestamp` with an
// RFC 3339 time (`=`, `<`, `<=`, `>`, `>=`, compared as times), joined by AND. That covers what
// the build-log adapter sends; anything else (OR, NOT, parentheses, `:`, other operators
// or fields, bare words) is refused, as the real API refuses a filter it cannot parse.
import type { LogEntry } from './types.ts';

export interface Comparison {
  /** `logName`, `resource.type`, `resource.labels.KEY`, `labels.KEY` or `timestamp`. */
  field: string;
  operator: Operator;
  /** The string's value, escapes resolved. */
  value: string;
}

export class FilterError extends Error {}

type Operator = '=' | '=~' | '<' | '<=' | '>' | '>=';

const FIELD =
  /^(?:logName|timestamp|resource\.type|resource\.labels\.[a-z_][a-z0-9_]*|labels\.[a-z_][a-z0-9_]*)$/;
/** Longest first, so `>=` is not read as `>`. */
const OPERATORS: readonly Operator[] = ['=~', '<=', '>=', '=', '<', '>'];
/** RFC 3339 date-time, as Logging reads a string compared with `timestamp`. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Parses `filter` into the comparisons it joins with AND; throws FilterError naming the
 * first thing it does not understand. An empty filter is no comparison (every entry).
 */
export function parseFilter(filter: string): Comparison[] {
  const comparisons: Comparison[] = [];
  let at = 0;
  const skipSpace = () => {
    while (at < filter.length && /\s/.test(filter[at] as string)) at += 1;
  };
  const fail = (what: string): never => {
    throw new FilterError(`${what} at position ${at} of the filter`);
  };
  skipSpace();
  if (at === filter.length) return comparisons;
  for (;;) {
    const name = /^[A-Za-z_][\w.]*/.exec(filter.slice(at))?.[0];
    if (name === undefined) fail('expected a field name');
    if (!FIELD.test(name as string)) {
      fail(
        `unsupported field ${JSON.stringify(name)} (the stand-in knows logName, timestamp, resource.type, resource.labels.KEY and labels.KEY)`,
      );
    }
    at += (name as string).length;
    skipSpace();
    const operator = OPERATORS.find((op) => filter.startsWith(op, at));
    if (operator === undefined) fail('expected = or =~');
    const isTime = name === 'timestamp';
    if (isTime ? operator === '=~' : operator !== '=' && operator !== '=~') {
      fail(
        isTime
          ? 'expected =, <, <=, > or >= after timestamp'
          : `${operator} is for timestamp only here`,
      );
    }
    at += (operator as string).length;
    skipSpace();
    if (filter[at] !== '"') fail('expected a double-quoted string');
    at += 1;
    let value = '';
    for (;;) {
      const char = filter[at];
      if (char === undefined) fail('unterminated string');
      at += 1;
      if (char === '"') break;
      if (char === '\\') {
        const escaped = filter[at];
        if (escaped === undefined) fail('unterminated string');
        at += 1;
        // A backslash before any other character keeps both (a regular expression's `\d`).
        value += escaped === '"' || escaped === '\\' ? escaped : `\\${escaped}`;
      } else {
        value += char;
      }
    }
    if (operator === '=~') {
      try {
        new RegExp(value, 'u');
      } catch {
        fail(`invalid regular expression ${JSON.stringify(value)}`);
      }
    }
    if (isTime && !(RFC3339.test(value) && Number.isFinite(Date.parse(value)))) {
      fail(`not an RFC 3339 time: ${JSON.stringify(value)}`);
    }
    comparisons.push({ field: name as string, operator: operator as Operator, value });
    skipSpace();
    if (at === filter.length) return comparisons;
    if (!/^AND\s/.test(filter.slice(at)))
      fail('expected AND (the stand-in joins comparisons with AND only)');
    at += 3;
    skipSpace();
  }
}

/** The entry's value of `field`, or undefined when it has none. */
function fieldOf(entry: LogEntry, field: string): string | undefined {
  if (field === 'logName') return entry.logName;
  if (field === 'timestamp') return entry.timestamp;
  if (field === 'resource.type') return entry.resource.type;
  if (field.startsWith('resource.labels.')) {
    return entry.resource.labels?.[field.slice('resource.labels.'.length)];
  }
  if (field.startsWith('labels.')) return entry.labels?.[field.slice('labels.'.length)];
  return undefined;
}

/** Whether the entry passes every comparison. */
export function matchesFilter(entry: LogEntry, comparisons: Comparison[]): boolean {
  return comparisons.every(({ field, operator, value }) => {
    const actual = fieldOf(entry, field);
    if (actual === undefined) return false;
    if (field === 'timestamp') return compareTimes(Date.parse(actual), operator, Date.parse(value));
    return operator === '=' ? actual === value : new RegExp(value, 'u').test(actual);
  });
}

function compareTimes(actual: number, operator: Operator, bound: number): boolean {
  switch (operator) {
    case '<':
      return actual < bound;
    case '<=':
      return actual <= bound;
    case '>':
      return actual > bound;
    case '>=':
      return actual >= bound;
    default:
      return actual === bound;
  }
}
