import { describe, expect, it } from 'vitest';
import {
  type DockerRef,
  parseDockerRef,
  parseSpec,
} from '../../../src/domain/submission-spec/index.ts';
import { errorsFor, expectOneError, expectValid, input } from './helpers.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

function ref(text: string): DockerRef {
  const result = parseDockerRef(text);
  if (typeof result === 'string') throw new Error(`${text}: ${result}`);
  return result;
}

describe('parseDockerRef normalisation', () => {
  it.each([
    ['ubuntu', 'docker.io/library/ubuntu'],
    ['ubuntu:22.04', 'docker.io/library/ubuntu:22.04'],
    ['myorg/model:1.0', 'docker.io/myorg/model:1.0'],
    ['myorg/team/model', 'docker.io/myorg/team/model'],
    ['docker.io/ubuntu', 'docker.io/library/ubuntu'],
    ['docker.io/library/ubuntu', 'docker.io/library/ubuntu'],
    ['index.docker.io/myorg/model:2', 'docker.io/myorg/model:2'],
    [
      'eu.gcr.io/theplayground_repo/my_service:1.0.3',
      'eu.gcr.io/theplayground_repo/my_service:1.0.3',
    ],
    ['europe-docker.pkg.dev/proj/repo/img:v1', 'europe-docker.pkg.dev/proj/repo/img:v1'],
    ['localhost/model', 'localhost/model'],
    ['localhost:5000/model:dev', 'localhost:5000/model:dev'],
    ['EU.GCR.IO/proj/img:1', 'eu.gcr.io/proj/img:1'],
    ['10.0.0.1:5000/a/b', '10.0.0.1:5000/a/b'],
    [`ubuntu@${DIGEST}`, `docker.io/library/ubuntu@${DIGEST}`],
    [`eu.gcr.io/p/i:1.0@${DIGEST}`, `eu.gcr.io/p/i:1.0@${DIGEST}`],
    ['a__b/c--d/e.f_g:Tag_1.2-x', 'docker.io/a__b/c--d/e.f_g:Tag_1.2-x'],
    // A bare `localhost:5000` reads as image `localhost` with tag 5000, as in Docker.
    ['localhost:5000', 'docker.io/library/localhost:5000'],
  ])('%s -> %s', (text, reference) => {
    expect(ref(text).reference).toBe(reference);
  });

  it('splits registry, repository, tag and digest', () => {
    expect(ref(`localhost:5000/team/model:1.2@${DIGEST}`)).toEqual({
      registry: 'localhost:5000',
      repository: 'team/model',
      tag: '1.2',
      digest: DIGEST,
      reference: `localhost:5000/team/model:1.2@${DIGEST}`,
    });
    expect(ref('ubuntu')).toEqual({
      registry: 'docker.io',
      repository: 'library/ubuntu',
      reference: 'docker.io/library/ubuntu',
    });
  });

  it('treats the first component as a registry only with a dot, a colon, or localhost', () => {
    expect(ref('myregistry/model').registry).toBe('docker.io');
    expect(ref('my.registry/model').registry).toBe('my.registry');
    expect(ref('myregistry:5000/model').registry).toBe('myregistry:5000');
  });

  it('accepts a tag of exactly 128 characters and not 129', () => {
    expect(ref(`img:${'a'.repeat(128)}`).tag).toHaveLength(128);
    expect(parseDockerRef(`img:${'a'.repeat(129)}`)).toMatch(/invalid tag/);
  });

  it('limits the normalised name to 255 characters', () => {
    const path = (length: number) => `eu.gcr.io/${'a'.repeat(length - 'eu.gcr.io/'.length)}`;
    expect(ref(`${path(255)}:1`).reference).toHaveLength(257);
    expect(parseDockerRef(`${path(256)}:1`)).toMatch(
      /256 characters, more than Docker allows \(255/,
    );
    // Shorthand counts after normalisation: docker.io/library/ adds 18 characters.
    expect(ref('a'.repeat(255 - 18)).reference).toHaveLength(255);
    expect(parseDockerRef('a'.repeat(255 - 17))).toMatch(/more than Docker allows/);
  });
});

describe('parseDockerRef errors', () => {
  it.each([
    ['', /^empty; give the image to deploy/],
    ['MyOrg/Model:1', /uppercase letters in "MyOrg\/Model".*try "myorg\/model"/],
    ['eu.gcr.io/Proj/img:1', /uppercase letters in "Proj\/img"/],
    ['my image:1', /contains a space or line break/],
    ['img:1\n', /contains a space or line break/],
    ['img$(id):1', /contains "\$"/],
    ['img:1;rm', /contains ";"/],
    ['img`id`', /contains "`"/],
    ["img'", /contains "'"/],
    ['img"', /contains "\\""/],
    ['img{x}', /contains "\{"/],
    ['img|x', /contains "\|"/],
    ['img\u0000', /contains "\\u0000"/],
    ['https://eu.gcr.io/p/i:1', /starts with a URL scheme/],
    ['img:', /ends with `:` but has no tag/],
    ['img:.hidden', /invalid tag "\.hidden"/],
    ['img:-x', /invalid tag "-x"/],
    ['img@sha256:abc', /invalid digest "sha256:abc"/],
    [`img@md5:${'a'.repeat(32)}`, /invalid digest/],
    [`img@${DIGEST.toUpperCase()}`, /invalid digest/],
    [`img@${DIGEST}@${DIGEST}`, /invalid digest/],
    [':1', /no repository name/],
    ['eu.gcr.io//img', /empty path component/],
    ['/img', /empty path component/],
    ['img/', /empty path component/],
    ['a..b', /invalid path component "a\.\.b"/],
    ['-img', /invalid path component "-img"/],
    ['img_', /invalid path component "img_"/],
    ['a___b', /invalid path component "a___b"/],
    ['bad_host.io:99999/img', /invalid registry "bad_host\.io:99999"/],
    ['-bad.io/img', /invalid registry "-bad\.io"/],
    ['host.io:/img', /invalid registry/],
  ])('%j is rejected', (text, message) => {
    const result = parseDockerRef(text);
    expect(typeof result).toBe('string');
    expect(result).toMatch(message);
  });
});

describe('image in a spec', () => {
  it('is stored normalised', () => {
    expect(expectValid({ image: 'myorg/model:1.0' }).image).toBe('docker.io/myorg/model:1.0');
    expect(expectValid({ image: '  ubuntu:22.04 \n' }).image).toBe(
      'docker.io/library/ubuntu:22.04',
    );
  });

  it('reports errors at path image', () => {
    expectOneError({ image: 'MyOrg/model' }, 'image', /uppercase/);
    expectOneError({ image: '' }, 'image', /^empty; give the Docker image to deploy/);
    expectOneError({ image: '   ' }, 'image', /^empty/);
    expectOneError({ image: undefined }, 'image', /^missing; give the Docker image/);
    expectOneError({ image: 42 }, 'image', 'expected text, got the number 42; put it in quotes');
    expectOneError({ image: 'a'.repeat(513) }, 'image', /too long: 513 characters/);
  });

  it.each([
    ['ubuntu', 'docker.io/library/ubuntu'],
    ['ubuntu:latest', 'docker.io/library/ubuntu:latest'],
    ['eu.gcr.io/p/model', 'eu.gcr.io/p/model'],
  ])('warns that %s is not pinned', (image, reference) => {
    const result = parseSpec(input({ image }));
    expect(result.ok).toBe(true);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]?.path).toBe('image');
    expect(result.warnings[0]?.message).toContain(JSON.stringify(reference));
    expect(result.warnings[0]?.message).toMatch(/not repeatable.*version tag.*digest/);
  });

  it.each([['ubuntu:22.04'], [`ubuntu@${DIGEST}`], [`ubuntu:latest@${DIGEST}`]])(
    'does not warn for pinned %s',
    (image) => {
      expect(parseSpec(input({ image })).warnings).toEqual([]);
    },
  );

  it('warns about an unpinned image even when other fields are wrong', () => {
    const result = parseSpec(input({ image: 'ubuntu', PADDING: 999 }));
    expect(result.ok).toBe(false);
    expect(result.warnings.map((warning) => warning.path)).toEqual(['image']);
  });

  it('rejects an image alongside other errors', () => {
    expect(errorsFor({ image: 'Bad Image', service: 'Bad' }).map((error) => error.path)).toEqual([
      'image',
      'service',
    ]);
  });
});
