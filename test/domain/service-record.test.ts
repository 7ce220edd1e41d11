import { describe, expect, it } from 'vitest';
import {
  claimService,
  type LiveVersion,
  MAX_HISTORY,
  mayUseService,
  type ServiceRecord,
  specChanges,
  updateOfLive,
  withLive,
} from '../../src/domain/service-record.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

const AT = new Date('2026-03-04T14:05:00Z');
const PAT = { userId: 'UPAT', name: 'pat' };

function record(project: string, live?: Partial<LiveVersion>): ServiceRecord {
  const claimed = claimService({
    project,
    service: 'my-service',
    owner: PAT,
    submissionId: 'PG-0001',
    revision: 1,
    at: AT,
  });
  return live ? withLive(claimed, liveVersion(live)) : claimed;
}

function liveVersion(overrides: Partial<LiveVersion> = {}): LiveVersion {
  return {
    version: 'pg-0001-r1',
    image: sampleSpec().image,
    submissionId: 'PG-0001',
    revision: 1,
    spec: sampleSpec(),
    at: AT,
    ...overrides,
  };
}

describe('specChanges', () => {
  it('lists only the fields that differ, old → new, in the review order', () => {
    const next = sampleSpec({
      image: 'eu.gcr.io/p/m:2.0',
      ZOOM_LEVEL: 17,
      resources: { cpu: 8, memory_gb: 3.2, disk_size_gb: 10 },
      gunicorn: { workers: 4, backlog: 6, timeout: 90 },
      describe: { title: 'Boats' },
    });
    expect(specChanges(sampleSpec(), next)).toEqual([
      { path: 'image', before: sampleSpec().image, after: 'eu.gcr.io/p/m:2.0' },
      { path: 'ZOOM_LEVEL', before: '16', after: '17' },
      { path: 'resources.cpu', before: '4', after: '8' },
      { path: 'gunicorn.workers', before: '2', after: '4' },
      { path: 'gunicorn.timeout', before: '60', after: '90' },
      { path: 'describe.title', before: '(none)', after: 'Boats' },
    ]);
  });

  it('is empty for the same spec, and reads a field an older spec lacks as (none)', () => {
    expect(specChanges(sampleSpec(), sampleSpec())).toEqual([]);
    const old = { ...sampleSpec(), describe: undefined } as never;
    expect(specChanges(old, sampleSpec({ describe: { email: 'a@b.example' } }))).toEqual([
      { path: 'describe.email', before: '(none)', after: 'a@b.example' },
    ]);
  });
});

describe('mayUseService', () => {
  it('lets anyone use a free service, its owner, and its team when the user is in it', () => {
    expect(mayUseService(undefined, 'UOTTO')).toBe(true);
    expect(mayUseService(record('p'), PAT.userId)).toBe(true);
    expect(mayUseService(record('p'), 'UOTTO')).toBe(false);
    expect(mayUseService(record('p'), 'UOTTO', true)).toBe(false);
    expect(mayUseService({ ...record('p'), team: 'STEAM' }, 'UOTTO', true)).toBe(true);
  });
});

describe('withLive', () => {
  it('replaces the live version and keeps the last MAX_HISTORY versions', () => {
    let current = record('p');
    for (let i = 1; i <= MAX_HISTORY + 2; i++) {
      current = withLive(current, liveVersion({ version: `v${i}`, revision: i }));
    }
    expect(current.live?.version).toBe(`v${MAX_HISTORY + 2}`);
    expect(current.history).toHaveLength(MAX_HISTORY);
    expect(current.history[0]?.version).toBe('v3');
  });
});

describe('updateOfLive', () => {
  const projects = ['prod', 'dev', 'lab'];

  it('compares with the default target project when the service is live there', () => {
    const update = updateOfLive([record('dev', {}), record('prod', { version: 'p1' })], projects);
    expect(update).toMatchObject({ project: 'prod', chosen: 'default_project' });
    expect(update?.live.version).toBe('p1');
  });

  it('else with the one project where it is live, else the first in project order', () => {
    expect(updateOfLive([record('prod'), record('lab', {})], projects)).toMatchObject({
      project: 'lab',
      chosen: 'only_project',
    });
    expect(updateOfLive([record('lab', {}), record('dev', {})], projects)).toMatchObject({
      project: 'dev',
      chosen: 'first_project',
    });
    expect(updateOfLive([record('prod')], projects)).toBeUndefined();
  });
});
