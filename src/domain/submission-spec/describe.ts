import { z } from 'zod';
import { show } from './issues.ts';

// Limits fit the Slack modal's inputs and the Playground catalogue card; single-line
// fields end up in labels and headers where a line break would break the layout.
export const TITLE_MAX = 100;
export const DESCRIPTION_MAX = 2000;
export const ORGANIZATION_MAX = 100;
export const EMAIL_MAX = 254; // RFC 5321 path limit

const email = z.email();

export function emailProblem(text: string): string | undefined {
  if (email.safeParse(text).success) return undefined;
  return `${show(text)} does not look like an email address (e.g. name@example.com)`;
}
