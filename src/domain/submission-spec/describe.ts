import { z } from 'zod';
import { type Report, show } from './issues.ts';
import { readText } from './values.ts';

// Limits fit the Slack modal's inputs and the Playground catalogue card; single-line
// fields end up in labels and headers where a line break would break the layout.
export const TITLE_MAX = 100;
export const DESCRIPTION_MAX = 2000;
export const ORGANIZATION_MAX = 100;
export const EMAIL_MAX = 254; // RFC 5321 path limit

const email = z.email();

export function readTitle(value: unknown, report: Report): string | undefined {
  return readText(value, report, { max: TITLE_MAX });
}

export function readDescription(value: unknown, report: Report): string | undefined {
  return readText(value, report, { max: DESCRIPTION_MAX, multiline: true });
}

export function readOrganization(value: unknown, report: Report): string | undefined {
  return readText(value, report, { max: ORGANIZATION_MAX });
}

export function readEmail(value: unknown, report: Report): string | undefined {
  const text = readText(value, report, { max: EMAIL_MAX });
  if (text === undefined) return undefined;
  if (!email.safeParse(text).success) {
    report(`${show(text)} does not look like an email address (e.g. name@example.com)`);
    return undefined;
  }
  return text;
}
