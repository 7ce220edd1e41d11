// What the pipeline found out, as the thread shows it: the acceptance test's checks (a
// compact list on success; the failed ones first, with why, on failure) and the bot's live
// check of the version's URL. Pure builders: no I/O.
import type { CheckResult, LiveCheck, LiveProbe } from '../../domain/results.ts';
import { escapeMrkdwn, truncate } from './mrkdwn.ts';

const PASSED = '✓';
const FAILED = '✗';
/** Characters of one check's detail kept (a failure names its cause in its first words). */
const DETAIL_MAX = 200;

/** "41 ms", "1.2 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** `process: 3 features` for a passed process check (its detail counts them), else the name. */
function passedName(check: CheckResult): string {
  const features = check.name === 'process' ? /^(\d+) feature/.exec(check.detail ?? '') : null;
  if (!features) return check.name;
  return `process: ${features[1]} ${features[1] === '1' ? 'feature' : 'features'}`;
}

function detailOf(text: string | undefined): string {
  return text ? `: ${escapeMrkdwn(truncate(text.replace(/\s+/g, ' '), DETAIL_MAX))}` : '';
}

/**
 * The acceptance checks as mrkdwn: all passed, one compact line (`health ✓ · describe ✓ ·
 * process: 3 features ✓ · …`); otherwise a line per failed check with why, first, then
 * the passed ones. Undefined when there are none.
 */
export function acceptanceResults(checks: readonly CheckResult[] | undefined): string | undefined {
  if (!checks?.length) return undefined;
  const passed = checks.filter((check) => check.ok);
  const failed = checks.filter((check) => !check.ok);
  const compact = passed.map((check) => `${escapeMrkdwn(passedName(check))} ${PASSED}`).join(' · ');
  if (failed.length === 0) return `*Acceptance test:* ${compact}`;
  const lines = [
    `*Acceptance test:* ${failed.length} of ${checks.length} checks failed`,
    ...failed.map((check) => `${FAILED} ${escapeMrkdwn(check.name)}${detailOf(check.detail)}`),
  ];
  if (passed.length > 0) lines.push(`passed: ${compact}`);
  return lines.join('\n');
}

function probeText(probe: LiveProbe): string {
  if (!probe.ok) return `${FAILED} ${probe.name}${detailOf(probe.detail)}`;
  if (probe.name === 'health') return `health ${probe.status ?? 200} in ${formatMs(probe.ms)}`;
  const took = probe.name === 'process' ? ` in ${formatMs(probe.ms)}` : '';
  return `${probe.name}${detailOf(probe.detail)}${took}`;
}

/** "*Live check:* health 200 in 41 ms · describe: name X · process: 3 features in 1.2 s". */
export function liveCheckResults(check: LiveCheck | undefined): string | undefined {
  if (!check) return undefined;
  return `*Live check* of the version's URL: ${check.probes.map(probeText).join(' · ')}`;
}
