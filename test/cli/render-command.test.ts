import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const SEED_SPEC = `image: eu.gcr.io/theplayground_repo/my_service:1.0.3
service: my-service
ZOOM_LEVEL: 16
PADDING: 24
PREDICTOR_CLASS: MyPredictor
PREDICTOR_PACKAGE: my_package.my_module
`;

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'pg-cli-'));
}

describe('playground-deploy render', () => {
  it('writes the whole bundle for a valid spec', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'spec.yaml'), SEED_SPEC);
    const out = join(dir, 'bundle');
    const run = await runCli([
      'render',
      join(dir, 'spec.yaml'),
      '--out',
      out,
      '--project',
      'pg-prod-1',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Wrote 17 files to ${out}`);
    expect(readdirSync(join(out, 'app')).sort()).toEqual([
      'app.py',
      'app.yaml',
      'gunicorn.conf.py',
      'openapi.yaml',
      'playground_wrapper',
    ]);
    const appYaml = load(readFileSync(join(out, 'app', 'app.yaml'), 'utf8')) as {
      env_variables: Record<string, string>;
    };
    expect(appYaml.env_variables.PROJECT_NAME).toBe('pg-prod-1');
  });

  it('warns about an unpinned image but still renders', async () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'spec.yaml'),
      SEED_SPEC.replace('eu.gcr.io/theplayground_repo/my_service:1.0.3', 'myorg/model'),
    );
    const run = await runCli(['render', join(dir, 'spec.yaml'), '--out', join(dir, 'b')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: image: /m);
    expect(readFileSync(join(dir, 'b', 'Dockerfile'), 'utf8')).toContain(
      'ARG base_id=docker.io/myorg/model\n',
    );
  });

  it('lists every field problem, exits 1 and writes nothing', async () => {
    const dir = workdir();
    writeFileSync(
      join(dir, 'spec.yaml'),
      SEED_SPEC.replace('PADDING: 24', 'PADDING: 300').replace('ZOOM_LEVEL: 16', 'ZOOM_LEVEL: 23'),
    );
    const out = join(dir, 'bundle');
    const run = await runCli(['render', join(dir, 'spec.yaml'), '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: PADDING: .*300.*256/m);
    expect(run.stderr).toMatch(/^error: ZOOM_LEVEL: .*23.*22/m);
    expect(run.stderr).toContain('nothing was written');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['spec.yaml']);
  });

  it('reports YAML syntax errors with their position', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'spec.yaml'), 'image: [unclosed\nservice: x\n');
    const run = await runCli(['render', join(dir, 'spec.yaml'), '--out', join(dir, 'b')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: yaml: .*line \d+/m);
  });

  it('refuses a bad project id before writing anything', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'spec.yaml'), SEED_SPEC);
    const run = await runCli([
      'render',
      join(dir, 'spec.yaml'),
      '--out',
      join(dir, 'b'),
      '--project',
      'X',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('"X" is not a Google Cloud project id');
    expect(existsSync(join(dir, 'b'))).toBe(false);
  });

  it('refuses to mix a bundle into a non-empty folder', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'spec.yaml'), SEED_SPEC);
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'b', 'old.txt'), 'keep me');
    const run = await runCli(['render', join(dir, 'spec.yaml'), '--out', join(dir, 'b')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the folder is not empty');
    expect(readdirSync(join(dir, 'b'))).toEqual(['old.txt']);
  });

  it('explains usage mistakes with exit code 2', async () => {
    const missingOut = await runCli(['render', 'spec.yaml']);
    expect(missingOut.code).toBe(2);
    expect(missingOut.stderr).toContain('render needs --out DIR');
    const unknown = await runCli(['deploy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "deploy"');
    expect(unknown.stderr).toContain('Usage:');
    const badOption = await runCli(['render', 'spec.yaml', '--out', 'x', '--colour']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('--colour');
  });

  it('cannot read a missing spec file', async () => {
    const run = await runCli(['render', '/nonexistent/spec.yaml', '--out', join(workdir(), 'b')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot read /nonexistent/spec.yaml: ENOENT');
  });
});

describe('playground-deploy check', () => {
  it('validates its options before contacting anything', async () => {
    const padding = await runCli(['check', 'http://127.0.0.1:1', '--padding', '300']);
    expect(padding.code).toBe(2);
    expect(padding.stderr).toMatch(/--padding: .*300.*256/);
    const url = await runCli(['check', 'ftp://example']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('not an http:// or https:// address');
  });

  it('fails cleanly when nothing answers', async () => {
    const run = await runCli(['check', 'http://127.0.0.1:9', '--timeout', '2']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL health/m);
  });
});
