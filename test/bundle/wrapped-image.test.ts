// The generated bundle built for real on partner bases like the ones people push, the
// built image's own entrypoint and command run, and check_service.py passed against it.
// One Debian root (debootstrap, cached in .cache/partner-bases/) is the base of every
// variant; each variant is a few Dockerfile lines on top of it.
//
// No Python package index is reachable here: the wrapper's requirements are pointed at
// what the base already holds (Debian's python3-flask, gunicorn, python3-yaml), unpinned,
// so pip finds them satisfied and downloads nothing. The pinned requirements.txt is what
// production installs; only this test's copy of the bundle differs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/bundle/check.ts';
import { NO_PIP_MESSAGE, PARTNER_USER_ARG } from '../../src/bundle/dockerfile.ts';
import { render } from '../../src/bundle/render.ts';
import { writeBundle } from '../../src/bundle/write.ts';
import {
  buildImage,
  buildVariant,
  debianBaseImage,
  imageConfig,
  removeImages,
  requireBuildah,
  runImage,
} from '../helpers/buildah.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';
import { FIXTURES, waitHealthy } from '../wrapper/helpers.ts';

requireBuildah();

const BUILD_TIMEOUT = 10 * 60_000;
const work = mkdtempSync(join(tmpdir(), 'pg-wrapped-image-'));
/** Images this file builds, removed at the end; the Debian base stays cached. */
const built = new Set<string>();
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await removeImages([...built]);
});

/**
 * Root with pip and Debian's system Python, marked EXTERNALLY-MANAGED (PEP 668) as
 * bookworm ships it; the partner's predictor package in /api/, as the seed lays it out.
 */
const DEBIAN = 'localhost/pg-partner/debian-python:bookworm';

/** Each variant: a partner's Dockerfile on top of DEBIAN. */
const VARIANTS = {
  // An ML image as often pushed: a non-root USER owning its files, and an ENTRYPOINT
  // that would swallow gunicorn's command line as its arguments if kept.
  ml: [
    `FROM ${DEBIAN}`,
    'RUN useradd --create-home --uid 1000 partner && chown -R partner /api',
    'USER partner',
    'ENTRYPOINT ["python3", "-c", "import sys; sys.exit(\'partner entrypoint ran: %s\' % sys.argv[1:])"]',
    'CMD ["serve"]',
  ],
  // Python without pip (removed as the python3-pip package would be).
  'no-pip': [`FROM ${DEBIAN}`, 'RUN rm -rf /usr/lib/python3/dist-packages/pip*'],
} as const;

const WRAPPER_REQUIREMENTS = 'Flask\nWerkzeug\ngunicorn\nPyYAML\n';

beforeAll(async () => {
  await debianBaseImage({
    name: DEBIAN,
    packages: ['python3', 'python3-pip', 'python3-flask', 'gunicorn', 'python3-yaml'],
    files: { [join(FIXTURES, 'pkg_format')]: '/api/pkg_format' },
  });
  for (const [name, lines] of Object.entries(VARIANTS)) {
    built.add(variantImage(name));
    await buildVariant(variantImage(name), `${lines.join('\n')}\n`, join(work, `variant-${name}`));
  }
}, 20 * 60_000);

function variantImage(name: string): string {
  return `localhost/pg-partner/${name}:1`;
}

/**
 * The bundle rendered for `base` and built on it, the way the wrap step does: base_id the
 * spec's image, partner_user the base image's own User (the pipeline reads it the same way).
 */
async function wrap(base: string) {
  const spec = sampleSpec({
    image: base,
    PREDICTOR_PACKAGE: 'pkg_format.model',
    PREDICTOR_CLASS: 'FormatPredictor',
    gunicorn: { workers: 1, backlog: 6, timeout: 60 },
  });
  const dir = join(work, `bundle-${base.replace(/\W+/g, '-')}`);
  await writeBundle(render(spec, { project: 'pg-test-1' }), dir);
  writeFileSync(join(dir, 'requirements.txt'), WRAPPER_REQUIREMENTS);
  const { User } = await imageConfig(base);
  const tag = `localhost/pg-wrapped/${base.split('/').pop()?.replace(':', '-')}:test`;
  built.add(tag);
  const build = await buildImage(dir, tag, { base_id: base, [PARTNER_USER_ARG]: User ?? '' });
  return { spec, tag, build };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Runs the wrapped image's own entrypoint and command and checks it as the pipeline's test step does. */
async function serveAndCheck(tag: string, padding: number, zoom: number) {
  const port = await freePort();
  const service = await runImage(tag, { PORT: String(port) });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url, 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- the image's output:\n${service.logs()}`);
    });
    return await runCheck(url, { padding, zoom, timeout: 30 }, 'pipe');
  } finally {
    await service.stop();
  }
}

describe('the wrapped image, built with buildah on partner bases', () => {
  it.each([
    { base: DEBIAN, user: 'root', what: 'root, pip, a system Python marked externally managed' },
    { base: variantImage('ml'), user: 'partner', what: 'a non-root USER and an ENTRYPOINT' },
  ])(
    'on $what: gunicorn runs as $user and passes check_service.py',
    async ({ base, user }) => {
      const { spec, tag, build } = await wrap(base);
      expect(build.code, build.stdout + build.stderr).toBe(0);
      const config = await imageConfig(tag);
      expect(config.Entrypoint ?? []).toEqual([]);
      expect(config.Cmd).toEqual(['gunicorn', '--config', '/api/gunicorn.conf.py', 'app:APP']);
      expect(config.User).toBe(user);
      const check = await serveAndCheck(tag, spec.PADDING, spec.ZOOM_LEVEL);
      expect(check.code, check.output).toBe(0);
      expect(check.output).not.toMatch(/^FAIL/m);
      expect(check.output.match(/^PASS /gm)?.length).toBeGreaterThan(5);
    },
    BUILD_TIMEOUT,
  );

  it(
    'fails in the wrap step, saying so, on an image whose python3 has no pip',
    async () => {
      const { build } = await wrap(variantImage('no-pip'));
      expect(build.code).not.toBe(0);
      expect(build.stdout + build.stderr).toContain(`${NO_PIP_MESSAGE} (/usr/bin/python3)`);
    },
    BUILD_TIMEOUT,
  );
});
