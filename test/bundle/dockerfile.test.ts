import { describe, expect, it } from 'vitest';
import { renderDockerfile } from '../../src/bundle/dockerfile.ts';
import { parseDockerfile } from '../helpers/dockerfile.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

describe('wrap Dockerfile', () => {
  it('follows the seed integration Dockerfile, instruction by instruction', () => {
    const instructions = parseDockerfile(renderDockerfile(sampleSpec()));
    expect(instructions.map((i) => i.keyword)).toEqual([
      'ARG',
      'FROM',
      'EXPOSE',
      'COPY',
      'RUN',
      'COPY',
      'WORKDIR',
      'CMD',
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variable syntax, not JavaScript
    expect(instructions[1]?.args).toBe('${base_id}');
    expect(instructions[2]?.args).toBe('8080');
    expect(instructions[3]?.args).toBe('requirements.txt /tmp/requirements.txt');
    expect(instructions[4]?.args).toMatch(/^pip install .*-r \/tmp\/requirements\.txt && +rm -rf/);
    expect(instructions[5]?.args).toBe('./app/ /api/');
    expect(instructions[6]?.args).toBe('/api/');
    expect(JSON.parse(instructions[7]?.args ?? '')).toEqual([
      'gunicorn',
      '--config',
      '/api/gunicorn.conf.py',
      'app:APP',
    ]);
  });

  it.each([
    'eu.gcr.io/theplayground_repo/my_service:1.0.3',
    `europe-docker.pkg.dev/p/r/model@sha256:${'a'.repeat(64)}`,
    'localhost:5000/model:2',
  ])('pins the base image argument to the exact reference %s', (image) => {
    const instructions = parseDockerfile(renderDockerfile({ ...sampleSpec(), image }));
    expect(instructions[0]).toEqual({ keyword: 'ARG', args: `base_id=${image}` });
    expect(instructions.some((i) => i.args.includes(':latest'))).toBe(false);
  });
});
