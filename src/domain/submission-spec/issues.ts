import type { SpecIssue } from './types.ts';

/** `PADDING: 300 is more than ...`, for CLI output and logs. */
export function formatIssue(issue: SpecIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}

/** Reports one problem; `path` is relative to the value being checked. */
export type Report = (message: string, path?: string) => void;

const SHOWN_MAX = 60;

/**
 * A partner's value as it appears inside a message: strings quoted and escaped (so a
 * newline or NUL is visible, not acted on) and cut short, numbers as written.
 */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    const chars = [...value];
    const cut = chars.length > SHOWN_MAX ? `${chars.slice(0, SHOWN_MAX - 1).join('')}…` : value;
    return JSON.stringify(cut);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return kindOf(value);
}

/** Names what kind of value arrived, for "expected X, got Y" messages. */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value} (a yes/no value)`;
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return 'a mapping';
    const name: unknown = proto?.constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}

/** Joins a parent path and a child key: `resources` + `cpu` = `resources.cpu`. */
export function joinPath(parent: string, child: string | undefined): string {
  if (child === undefined || child === '') return parent;
  return parent === '' ? child : `${parent}.${child}`;
}

/** Formats a number computed in hundredths (kept integral to avoid 3.2000000000000006). */
export function hundredths(value: number): string {
  return String(value / 100);
}
