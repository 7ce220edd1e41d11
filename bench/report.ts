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
    'Firestore store calls per minute in the window, by method (@ mean latency)',
    storeTable(results),
    '',
    ...notes(results),
  ].join('\n');
}
