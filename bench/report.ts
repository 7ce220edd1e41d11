// The benchmark's printed report: calls per minute and memory per size, with ratios against
// the smallest size measured in the same run.
import type { PhaseResult } from './phase.ts';
import { fixed, ratio, table, withDelta } from './table.ts';

const perMinute = (calls: number, windowMs: number) => (calls * 60_000) / windowMs;

function mainTable(results: PhaseResult[], budget: number): string {
  const base = results[0];
  const rows = results.map((r) => {
    const calls = r.perMinute.cloudBuild + r.perMinute.appEngine;
    const storeCalls = Object.values(r.bot.store).reduce((sum, s) => sum + s.calls, 0);
    return [
      String(r.pipelines),
      ratio(r.pipelines, base?.pipelines),
      fixed(r.perMinute.cloudBuild),
      fixed(r.perMinute.appEngine),
      ratio(calls, base && base.perMinute.cloudBuild + base.perMinute.appEngine),
      `${fixed((calls / budget) * 100, 0)}%`,
      fixed(calls / r.pipelines, 2),
      fixed(r.perMinute.slack),
      fixed(perMinute(storeCalls, r.bot.windowMs)),
      fixed(r.discoveryMs / 1000),
      withDelta(r.bot.peak.rssMb, r.bot.baseline.rssMb),
      withDelta(r.bot.peak.heapMb, r.bot.baseline.heapMb),
    ];
  });
  return table(
    [
      'N',
      'N x',
      'CB/min',
      'AE/min',
      'API x',
      'budget',
      'API/pipe/min',
      'Slack/min',
      'store/min',
      'discover s',
      'peak RSS MB (+base)',
      'peak heap MB (+base)',
    ],
    rows,
  );
}

function storeTable(results: PhaseResult[]): string {
  const methods = [...new Set(results.flatMap((r) => Object.keys(r.bot.store)))].sort();
  const rows = results.map((r) => [
    String(r.pipelines),
    ...methods.map((m) => {
      const s = r.bot.store[m];
      return s ? `${fixed(perMinute(s.calls, r.bot.windowMs))} @${fixed(s.ms / s.calls)}ms` : '-';
    }),
  ]);
  return table(['N', ...methods.map((m) => `${m}/min`)], rows);
}

const PURPOSES = ['leases', 'runs', 'discovery', 'outbox', 'other'] as const;

/** Documents read and written per minute by purpose, and in all (x: against the row above). */
function firestoreTable(results: PhaseResult[]): string {
  const totals = results.map((r) => {
    const all = Object.values(r.bot.firestore).reduce((sum, o) => sum + o.reads + o.writes, 0);
    return perMinute(all, r.bot.windowMs);
  });
  const rows = results.map((r, i) => [
    String(r.pipelines),
    ...PURPOSES.map((p) => {
      const o = r.bot.firestore[p] ?? { reads: 0, writes: 0 };
      return `${fixed(perMinute(o.reads, r.bot.windowMs))} / ${fixed(perMinute(o.writes, r.bot.windowMs))}`;
    }),
    fixed(totals[i] ?? 0),
    ratio(totals[i] ?? 0, i > 0 ? totals[i - 1] : undefined),
  ]);
  return table(['N', ...PURPOSES.map((p) => `${p} r/w`), 'docs/min', 'x prev'], rows);
}

function notes(results: PhaseResult[]): string[] {
  return results.flatMap((r) => {
    const lines = [`N=${r.pipelines}: seeded in ${fixed(r.seedMs / 1000)} s`];
    const slack = Object.entries(r.slackMethods);
    if (slack.length > 0) {
      lines.push(`  Slack calls in the window: ${slack.map(([m, n]) => `${m} ${n}`).join(', ')}`);
    }
    for (const [message, count] of Object.entries(r.seedWarnings)) {
      lines.push(`  seeding bot warning x${count}: ${message}`);
    }
    for (const [message, count] of Object.entries(r.bot.warnings)) {
      lines.push(`  measured bot warning x${count}: ${message}`);
    }
    return lines;
  });
}

export function report(results: PhaseResult[], budget: number): string {
  return [
    '',
    'API calls per minute in the window (CB Cloud Build, AE App Engine; x: against the first row)',
    mainTable(results, budget),
    '',
    'Firestore documents read / written per minute in the window, by purpose (one instance;',
    'leases: heartbeat and claims; runs: the tracker reading and writing runs; discovery:',
    'looking for pipelines to take; outbox: the deliverer; x prev: against the row above)',
    firestoreTable(results),
    '',
    'Firestore store calls per minute in the window, by method (@ mean latency)',
    storeTable(results),
    '',
    ...notes(results),
  ].join('\n');
}
