import { describe, expect, it } from 'vitest';
import { appEngineSettings, HEALTH_PATH } from '../../src/bundle/app-engine-config.ts';
import {
  createVersionRequest,
  VersionRequestError,
  versionRequest,
} from '../../src/gcp/version-request.ts';
import type { DeployPlan } from '../../src/ports/deploy.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const IMAGE = `europe-docker.pkg.dev/my-project/playground/pg-0042@${DIGEST}`;

function plan(overrides: Partial<DeployPlan> = {}): DeployPlan {
  return {
    project: 'oneatlas-playground',
    spec: sampleSpec(),
    versionId: 'pg-0042-r1',
    imageUrl: IMAGE,
    ...overrides,
  };
}

function rejection(p: DeployPlan): VersionRequestError {
  try {
    versionRequest(p);
  } catch (error) {
    if (error instanceof VersionRequestError) return error;
    throw error;
  }
  throw new Error('expected a VersionRequestError');
}

describe('versionRequest', () => {
  it('builds a flexible custom-runtime version of the image, from the app.yaml settings', () => {
    expect(versionRequest(plan())).toEqual({
      id: 'pg-0042-r1',
      runtime: 'custom',
      env: 'flex',
      deployment: { container: { image: IMAGE } },
      resources: { cpu: 4, memoryGb: 3.2, diskGb: 10 },
      automaticScaling: {
        minTotalInstances: 1,
        maxTotalInstances: 2,
        coolDownPeriod: { seconds: 180 },
      },
      livenessCheck: {
        path: HEALTH_PATH,
        checkInterval: { seconds: 30 },
        timeout: { seconds: 4 },
        failureThreshold: 4,
        successThreshold: 2,
        initialDelay: { seconds: 1800 },
      },
      readinessCheck: {
        path: HEALTH_PATH,
        checkInterval: { seconds: 5 },
        timeout: { seconds: 4 },
        failureThreshold: 2,
        successThreshold: 2,
        appStartTimeout: { seconds: 1800 },
      },
      envVariables: {
        PREDICTOR_CLASS: 'MyPredictor',
        PREDICTOR_PACKAGE: 'my_package.my_module',
        PROJECT_NAME: 'oneatlas-playground',
        ZOOM_LEVEL: '16',
        PADDING: '24',
        SERVICE_NAME: 'my-service',
        PARTNER_IMAGE: 'eu.gcr.io/theplayground_repo/my_service:1.0.3',
      },
      servingStatus: 'SERVING',
    });
  });

  it('follows the settings: every number of appEngineSettings reaches the request', () => {
    const spec = sampleSpec({ resources: { cpu: 8, memory_gb: 12.5, disk_size_gb: 40 } });
    const settings = appEngineSettings(spec);
    const version = versionRequest(plan({ spec }));
    expect(version.resources).toEqual({ cpu: 8, memoryGb: 12.5, diskGb: 40 });
    expect(version.runtime).toBe(settings.runtime);
    expect(version.env).toBe(settings.env);
    expect(version.livenessCheck?.initialDelay).toEqual({
      seconds: settings.liveness_check.initial_delay_sec,
    });
    expect(version.readinessCheck?.appStartTimeout).toEqual({
      seconds: settings.readiness_check.app_start_timeout_sec,
    });
    expect(version.automaticScaling?.coolDownPeriod).toEqual({
      seconds: settings.automatic_scaling.cool_down_period_sec,
    });
  });

  it('passes the description to the wrapper as env variables, as strings', () => {
    const spec = sampleSpec({
      ZOOM_LEVEL: 18,
      PADDING: 0,
      describe: { title: 'Trees', organization: 'ACME', email: 'ml@acme.example' },
    });
    expect(versionRequest(plan({ spec })).envVariables).toMatchObject({
      ZOOM_LEVEL: '18',
      PADDING: '0',
      DESCRIBE_TITLE: 'Trees',
      DESCRIBE_ORGANIZATION: 'ACME',
      DESCRIBE_EMAIL: 'ml@acme.example',
    });
    expect(versionRequest(plan({ spec })).envVariables).not.toHaveProperty('DESCRIBE_DESCRIPTION');
  });

  it('names the parent service from the settings in the create request', () => {
    const request = createVersionRequest(plan());
    expect(request.parent).toBe('apps/oneatlas-playground/services/my-service');
    expect(request.version).toEqual(versionRequest(plan()));
  });

  it('accepts a tag before the digest', () => {
    const imageUrl = `eu.gcr.io/p/wrapped:pg-0042-r1@${DIGEST}`;
    expect(versionRequest(plan({ imageUrl })).deployment).toEqual({
      container: { image: imageUrl },
    });
  });

  it.each([
    ['a tag only', 'europe-docker.pkg.dev/p/r/img:pg-0042-r1', /not pinned by digest/],
    ['no tag or digest', 'europe-docker.pkg.dev/p/r/img', /not pinned by digest/],
    ['a short digest', 'europe-docker.pkg.dev/p/r/img@sha256:abc', /invalid digest/],
    ['Docker Hub shorthand', `img@${DIGEST}`, /not fully qualified.*docker\.io\/library\/img/],
    ['a URL', `https://europe-docker.pkg.dev/p/r/img@${DIGEST}`, /URL scheme/],
  ])('rejects an image with %s', (_what, imageUrl, message) => {
    const error = rejection(plan({ imageUrl }));
    expect(error.code).toBe('invalid_version_request');
    expect(error.issues).toEqual([{ path: 'image', message: expect.stringMatching(message) }]);
  });

  it.each([
    ['uppercase', 'PG-1', /uppercase letters/],
    ['a trailing hyphen', 'pg-1-', /starts or ends with a hyphen/],
    ['the ah- prefix', 'ah-builtin', /reserves/],
    ['a reserved name', 'latest', /reserves/],
    ['an empty id', '', /empty/],
  ])('rejects a version id with %s', (_what, versionId, message) => {
    expect(rejection(plan({ versionId })).issues).toEqual([
      { path: 'version', message: expect.stringMatching(message) },
    ]);
  });

  it('keeps VERSION-dot-SERVICE-dot-PROJECT within 63 characters', () => {
    // 'my-service' (10) + 'oneatlas-playground' (19) + two '-dot-' (10) leave 24.
    expect(() => versionRequest(plan({ versionId: 'v'.repeat(24) }))).not.toThrow();
    const error = rejection(plan({ versionId: 'v'.repeat(25) }));
    expect(error.message).toMatch(
      /64 characters, 1 more than App Engine allows.*shorten the version id by 1 character/,
    );
  });

  it('reports every problem at once', () => {
    const error = rejection(plan({ versionId: 'Bad_Id', imageUrl: 'eu.gcr.io/p/img:1' }));
    expect(error.issues.map((issue) => issue.path)).toEqual(['version', 'image']);
    expect(error.message).toMatch(/^cannot deploy this version: version: .*; image: .*/);
  });
});
