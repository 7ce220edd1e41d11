import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_PYTHON_MESSAGE, renderDockerfile } from '../../src/bundle/dockerfile.ts';
import { parseDockerfile } from '../helpers/dockerfile.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

const GUNICORN = ['gunicorn', '--config', '/api/gunicorn.conf.py', 'app:APP'];

describe('wrap Dockerfile', () => {
  const instructions = parseDockerfile(renderDockerfile(sampleSpec()));
  const args = (keyword: string) =>
    instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('follows the seed integration Dockerfile, with root for the install and the entrypoint cleared', () => {
    expect(instructions.map((i) => i.keyword)).toEqual([
      'ARG',
      'FROM',
      'ARG',
      'USER',
      'SHELL',
      'EXPOSE',
      'COPY',
      'RUN',
      'COPY',
      'WORKDIR',
      'ENTRYPOINT',
      'CMD',
      'USER',
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variable syntax, not JavaScript
    expect(instructions[1]?.args).toBe('${base_id}');
    // Declared after FROM: an ARG before FROM is not visible to the stage.
    expect(instructions[2]?.args).toBe('partner_user=');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variable syntax, not JavaScript
    expect(args('USER')).toEqual(['root', '${partner_user:-root}']);
    expect(JSON.parse(args('SHELL')[0] ?? '')).toEqual(['/bin/sh', '-c']);
    expect(args('EXPOSE')).toEqual(['8080']);
    expect(args('COPY')).toEqual(['requirements.txt /tmp/requirements.txt', './app/ /api/']);
    expect(args('WORKDIR')).toEqual(['/api/']);
    expect(JSON.parse(args('ENTRYPOINT')[0] ?? '')).toEqual([]);
    expect(JSON.parse(args('CMD')[0] ?? '')).toEqual(GUNICORN);
  });

  it("installs with the interpreter's own pip, never a bare pip, PEP 668 overridden for that command only", () => {
    const run = args('RUN')[0] ?? '';
    expect(run).toContain(
      'PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir -r /tmp/requirements.txt',
    );
    expect(run.match(/\S+ (?:-m )?pip install/g)).toEqual(['python3 -m pip install']);
    expect(args('ENV')).toEqual([]);
  });

  const empty = mkdtempSync(join(tmpdir(), 'pg-no-python-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('fails the install step with its message when the image has no python3', () => {
    // The RUN script itself under sh, with a PATH that holds no python3.
    const run = spawnSync('/bin/sh', ['-c', args('RUN')[0] ?? ''], {
      env: { PATH: empty },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `${NO_PYTHON_MESSAGE}: gunicorn runs with the image's python3 (PATH=${empty})`,
    );
  });

  it.each([
    'eu.gcr.io/theplayground_repo/my_service:1.0.3',
    `europe-docker.pkg.dev/p/r/model@sha256:${'a'.repeat(64)}`,
    'localhost:5000/model:2',
  ])('pins the base image argument to the exact reference %s', (image) => {
    const pinned = parseDockerfile(renderDockerfile({ ...sampleSpec(), image }));
    expect(pinned[0]).toEqual({ keyword: 'ARG', args: `base_id=${image}` });
    expect(pinned.some((i) => i.args.includes(':latest'))).toBe(false);
  });
});
