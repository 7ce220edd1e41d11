// The Show log use case with in-memory ports: where the failed step's lines come from, and
// who may read them.
import { describe, expect, it } from 'vitest';
import { SHOW_LOG_LINES, showLog } from '../../src/app/show-log.ts';
import type { PipelineFailure } from '../../src/domain/pipeline-run.ts';
import type { VersionLogQuery } from '../../src/ports/app-logs.ts';
import type { BuildLogQuery } from '../../src/ports/build-logs.ts';
import { sampleRun } from '../helpers/sample-run.ts';
import { APPROVER, OTHER, PARTNER, ports, requestId, submitted } from './fixtures.ts';

const BUILD_ID = '6f1c2a9e-0000-4000-8000-000000000001';
const STARTED = new Date('2030-01-01T10:00:00Z');
const DEPLOY_ASKED = new Date('2030-01-01T10:20:00Z');

/** Logs that give what they were told, and keep what they were asked. */
function logs(lines: { build?: string[]; version?: string[] | Error } = {}) {
  const asked: { build: BuildLogQuery[]; version: VersionLogQuery[] } = { build: [], version: [] };
  return {
    asked,
    builds: {
      async tail(query: BuildLogQuery) {
        asked.build.push(query);
        return lines.build ?? [];
      },
    },
    versions: {
      async versionTail(query: VersionLogQuery) {
        asked.version.push(query);
        if (lines.version instanceof Error) throw lines.version;
        return lines.version ?? [];
      },
    },
  };
}

async function failedRun(failure: PipelineFailure, logPorts = logs()) {
  const world = ports();
  const { id } = await submitted(world.store);
  const steps = sampleRun().steps;
  steps.render = { state: 'done', startedAt: STARTED };
  world.store.put(id, {
    status: 'failed',
    pipeline: sampleRun({
      attempt: 2,
      buildId: BUILD_ID,
      deployRequestedAt: DEPLOY_ASKED,
      steps,
      failure,
    }),
  });
  const deps = { ...world.deps, logs: { builds: logPorts.builds, versions: logPorts.versions } };
  const ask = (actor = PARTNER, attempt = 2) =>
    showLog(deps, { actor, id, attempt, requestId: requestId() });
  return { ...world, id, ask, asked: logPorts.asked };
}

describe('showLog', () => {
  it("reads a build step's last 200 lines of the Cloud Build step that failed, from just before the run", async () => {
    const { ask, asked } = await failedRun(
      { step: 'test', detail: 'check failed', buildStep: 'test-start' },
      logs({ build: ['booting', 'FAIL health'] }),
    );
    const { outcome } = await ask(APPROVER);
    expect(outcome).toMatchObject({
      kind: 'done',
      attempt: 2,
      step: 'test',
      source: 'build',
      lines: ['booting', 'FAIL health'],
    });
    expect(asked.build).toEqual([
      {
        buildId: BUILD_ID,
        stepId: 'test-start',
        lines: SHOW_LOG_LINES,
        since: new Date(STARTED.getTime() - 5 * 60_000),
      },
    ]);
    expect(asked.version).toEqual([]);
  });

  it("reads a deploy's lines from the version's App Engine log, since it was asked for", async () => {
    const { ask, asked } = await failedRun(
      { step: 'deploy', detail: 'readiness check failed' },
      logs({ version: ['MemoryError'] }),
    );
    expect((await ask()).outcome).toMatchObject({ source: 'app_engine', lines: ['MemoryError'] });
    expect(asked.version).toEqual([
      {
        project: 'pg-prod',
        service: 'my-service',
        versionId: 'pg-0042-r1',
        lines: SHOW_LOG_LINES,
        since: DEPLOY_ASKED,
      },
    ]);
  });

  it("gives the failure's own words when the log has no lines or cannot be read", async () => {
    const failure = { step: 'deploy' as const, detail: 'readiness check failed', logTail: ['x'] };
    const none = await failedRun(failure);
    expect((await none.ask()).outcome).toMatchObject({
      source: 'failure',
      lines: ['readiness check failed', 'x'],
    });
    const broken = await failedRun(failure, logs({ version: new Error('PERMISSION_DENIED') }));
    expect((await broken.ask()).outcome).toMatchObject({ source: 'failure' });
    expect(broken.logs.some((l) => l.message === 'could not read the failed step’s log')).toBe(
      true,
    );
    // Render runs before any build: nothing to read.
    const render = await failedRun({ step: 'render', detail: 'bad template' });
    expect((await render.ask()).outcome).toMatchObject({ source: 'failure' });
    expect(render.asked).toEqual({ build: [], version: [] });
  });

  it('refuses anyone but the partner and approvers, as not found, and audits it', async () => {
    const { ask, store, id, asked } = await failedRun({ step: 'test', detail: 'x' });
    expect((await ask(OTHER)).outcome).toEqual({ kind: 'not_found', id });
    expect((await store.audit(id)).at(-1)).toMatchObject({
      action: 'refused',
      actor: { userId: OTHER.userId },
      detail: 'show_log',
    });
    expect(asked.build).toEqual([]);
  });

  it('refuses, and audits, an attempt that is not the current one', async () => {
    const { ask, store, id } = await failedRun({ step: 'test', detail: 'x' });
    expect((await ask(PARTNER, 1)).outcome).toEqual({
      kind: 'no_log',
      id,
      attempt: 1,
      reason: 'other_attempt',
      current: 2,
    });
    expect((await store.audit(id)).at(-1)).toMatchObject({
      action: 'refused',
      detail: 'show_log attempt 1: other_attempt',
    });
  });
});
