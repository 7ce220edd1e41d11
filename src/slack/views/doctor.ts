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

/** Most blocks an ephemeral answer carries before the report goes to a DM instead. */
export const EPHEMERAL_REPORT_BLOCKS = 10;

export function doctorMessage(report: DoctorReport): Message {
  const summary =
    report.problems === 0
      ? `:stethoscope: All ${report.checks.length} checks of the set-up passed.`
      : `:stethoscope: ${plural(report.problems, 'problem')} in ${report.checks.length} checks of the set-up.`;
  const lines = report.checks.flatMap((check) => [
    `${MARKS[check.status]} *${AREAS[check.area]}* ${code(check.subject, 200)}: ${escapeMrkdwn(check.says)}`,
    ...check.fixes.map((fix) => `      fix: ${code(fix, 1000)}`),
  ]);
  return { text: summary, blocks: sectionsOf([summary, ...lines]) };
}
