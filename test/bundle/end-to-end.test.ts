import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { startGunicorn, waitHealthy } from '../wrapper/helpers.ts';

/** A partner's spec, rendered by the CLI, served by the rendered files, checked by the CLI. */
async function renderAndServe(predictor: { PREDICTOR_PACKAGE: string; PREDICTOR_CLASS: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'pg-e2e-'));
  writeFileSync(
    join(dir, 'spec.yaml'),
    [
      'image: eu.gcr.io/theplayground_repo/my_service:1.0.3',
      'service: boats',
      'ZOOM_LEVEL: 17',
      'PADDING: 20',
      `PREDICTOR_CLASS: ${predictor.PREDICTOR_CLASS}`,
      `PREDICTOR_PACKAGE: ${predictor.PREDICTOR_PACKAGE}`,
      'gunicorn: {workers: 1}',
      'describe: {title: "Boats & ships", organization: ACME}',
      '',
    ].join('\n'),
  );
  const out = join(dir, 'bundle');
  const rendered = await runCli([
    'render',
    join(dir, 'spec.yaml'),
    '--out',
    out,
    '--project',
    'pg-prod-1',
  ]);
  expect(rendered.code, rendered.stderr).toBe(0);
  // The rendered gunicorn.conf.py as is; only the address moves to a free loopback port.
  return startGunicorn(join(out, 'app'));
}

describe('render, serve under gunicorn, check', () => {
  it('a predictor returning PredictionResult passes every Playground check', async () => {
    const service = await renderAndServe({
      PREDICTOR_PACKAGE: 'pkg_format.model',
      PREDICTOR_CLASS: 'FormatPredictor',
    });
    try {
      await waitHealthy(service.url);
      const describeAnswer = await (await fetch(`${service.url}/api/v1/describe`)).json();
      expect(describeAnswer).toMatchObject({
        name: 'boats',
        title: 'Boats & ships',
        organization: 'ACME',
      });
      const run = await runCli([
        'check',
        service.url,
        '--padding',
        '20',
        '--zoom',
        '17',
        '--timeout',
        '30',
      ]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).not.toMatch(/^FAIL/m);
      expect(run.stdout.match(/^PASS /gm)).toHaveLength(9);
    } finally {
      await service.stop();
    }
  });

  it('a predictor that raises fails the process check, named', async () => {
    const service = await renderAndServe({
      PREDICTOR_PACKAGE: 'pkg_raises',
      PREDICTOR_CLASS: 'RaisingPredictor',
    });
    try {
      const run = await runCli([
        'check',
        service.url,
        '--padding',
        '20',
        '--zoom',
        '17',
        '--timeout',
        '30',
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^FAIL process: .*422/m);
    } finally {
      await service.stop();
    }
  });
});
