// `/playground doctor`'s answer: one line per check, the fixes of each problem under it.
import type { DoctorCheck, DoctorReport } from '../../app/doctor.ts';
import { type Message, sectionsOf } from './kit.ts';
import { code, escapeMrkdwn, plural } from './mrkdwn.ts';

const MARKS: Record<DoctorCheck['status'], string> = {
  ok: ':white_check_mark:',
  problem: ':x:',
  not_checked: ':grey_question:',
};

const AREAS: Record<DoctorCheck['area'], string> = {
  google: 'Google permissions',
  app_engine: 'App Engine',
  registry: 'Registry',
  firestore: 'Firestore',
  slack: 'Slack',
};

/**
 * Most lines (checks and fixes) an ephemeral answer carries: a longer report is for
 * working through, so it goes to the approver's DM, where it stays.
 */
const EPHEMERAL_REPORT_LINES = 20;

/** The report, and whether it is long enough to go to a DM rather than an ephemeral answer. */
export function doctorMessage(report: DoctorReport): Message & { long: boolean } {
  const summary =
    report.problems === 0
      ? `:stethoscope: All ${report.checks.length} checks of the set-up passed.`
      : `:stethoscope: ${plural(report.problems, 'problem')} in ${report.checks.length} checks of the set-up.`;
  const lines = report.checks.flatMap((check) => [
    `${MARKS[check.status]} *${AREAS[check.area]}* ${code(check.subject, 200)}: ${escapeMrkdwn(check.says)}`,
    ...check.fixes.map((fix) => `      fix: ${code(fix, 1000)}`),
  ]);
  return {
    text: summary,
    blocks: sectionsOf([summary, ...lines]),
    long: lines.length > EPHEMERAL_REPORT_LINES,
  };
}
