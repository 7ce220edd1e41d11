// The ownership rules of submit, resubmit and transfer over in-memory ports.
import { describe, expect, it } from 'vitest';
import { resubmit } from '../../src/app/resubmit.ts';
import { submit } from '../../src/app/submit.ts';
import { transfer } from '../../src/app/transfer.ts';
import { claimService, withLive } from '../../src/domain/service-record.ts';
import type { Actor } from '../../src/domain/submission.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';
import { APPROVER, OTHER, PARTNER, PROJECTS, ports, requestId, submitted } from './fixtures.ts';

/** `my-service` owned by `owner` in `project`, live there unless told otherwise. */
function owned(owner: Actor, project: string, options: { team?: string; live?: boolean } = {}) {
  const record = {
    ...claimService({
      project,
      service: 'my-service',
      owner,
      submissionId: 'PG-0042',
      revision: 2,
      at: new Date('2026-03-04T14:05:00Z'),
    }),
    ...(options.team ? { team: options.team } : {}),
  };
  if (options.live === false) return record;
  const live = {
    version: 'pg-0042-r2',
    image: sampleSpec().image,
    submissionId: 'PG-0042',
    revision: 2,
    spec: sampleSpec(),
    at: new Date('2026-03-04T15:00:00Z'),
  };
  return withLive(record, live);
}

const [, OTHER_PROJECT = ''] = PROJECTS;

describe('submit and ownership', () => {
  it("refuses someone else's service in any target project as a service problem, audited on the service", async () => {
    const { deps, services, store } = ports();
    services.put(owned(PARTNER, OTHER_PROJECT));
    const result = await submit(deps, { actor: OTHER, requestId: requestId(), form: sampleSpec() });
    expect(result.outcome).toEqual({
      kind: 'invalid',
      errors: [
        {
          path: 'service',
          message: `"my-service" is owned by @pat in ${OTHER_PROJECT}: ask them to submit it, or ask an approver to run /playground transfer my-service @you`,
        },
      ],
    });
    expect(await store.listAll()).toEqual([]);
    // Written to the service's trail once the partner has the answer.
    expect(await services.serviceAudit(OTHER_PROJECT, 'my-service')).toEqual([]);
    await result.afterwards?.();
    const trail = await services.serviceAudit(OTHER_PROJECT, 'my-service');
    expect(trail.map((e) => [e.action, e.actor.userId])).toEqual([['refused', OTHER.userId]]);
  });

  it('lets a member of the owning team submit, as an update of what is live', async () => {
    const { deps, services, store } = ports();
    services.put(owned(PARTNER, OTHER_PROJECT, { team: 'STEAM' }));
    const result = await submit(deps, { actor: OTHER, requestId: requestId(), form: sampleSpec() });
    expect(result.outcome.kind).toBe('done');
    const [stored] = await store.listAll();
    expect(stored?.revisions[0]?.updateOf).toMatchObject({
      project: OTHER_PROJECT,
      chosen: 'only_project',
      live: { version: 'pg-0042-r2', submissionId: 'PG-0042' },
    });
  });

  it('refuses a configured reserved id and "default" with the spec problems', async () => {
    const { deps } = ports();
    for (const service of ['status', 'default']) {
      const result = await submit(deps, {
        actor: PARTNER,
        requestId: requestId(),
        form: sampleSpec({ service }),
      });
      expect(result.outcome.kind === 'invalid' && result.outcome.errors[0]?.path).toBe('service');
    }
  });
});

describe('resubmit and ownership', () => {
  it('refuses a revision naming a service someone else owns; the submission stays as it was, audited', async () => {
    const { deps, services, store } = ports();
    const { id } = await submitted(store);
    await store.apply(id, 'request_changes', { actor: APPROVER, requestId: requestId() });
    services.put(owned(OTHER, PROJECTS[0] ?? '', { live: false }));
    const request = { actor: PARTNER, id, requestId: requestId() };
    const result = await resubmit(deps, { ...request, form: sampleSpec() });
    expect(result.outcome).toMatchObject({ kind: 'invalid', errors: [{ path: 'service' }] });
    const stored = await store.get(id);
    expect(stored).toMatchObject({ status: 'changes_requested', revision: 1 });
    expect((await store.audit(id)).at(-1)).toMatchObject({
      action: 'refused',
      actor: { userId: PARTNER.userId },
      detail: expect.stringContaining('resubmit: "my-service" is owned by @otto'),
    });
    // The same form, fixed and sent again, is stored: the refusal was not taken for it.
    const fixed = await resubmit(deps, { ...request, form: sampleSpec({ service: 'mine' }) });
    expect(fixed.outcome).toMatchObject({ kind: 'done', submission: { id, revision: 2 } });
  });
});

describe('transfer', () => {
  const request = (actor: Actor, more: Record<string, unknown> = {}) => ({
    actor,
    requestId: requestId(),
    service: 'my-service',
    to: OTHER,
    ...more,
  });

  it('says which project when the service is owned in several, and refuses an unknown project', async () => {
    const { deps, services } = ports();
    for (const project of PROJECTS) services.put(owned(PARTNER, project));
    expect((await transfer(deps, request(APPROVER))).outcome).toEqual({
      kind: 'ambiguous',
      service: 'my-service',
      projects: PROJECTS,
    });
    expect((await transfer(deps, request(APPROVER, { project: 'nope' }))).outcome).toEqual({
      kind: 'usage',
      problem: `nope is not a target project (${PROJECTS.join(', ')})`,
    });
    const done = await transfer(deps, request(APPROVER, { project: OTHER_PROJECT }));
    expect(done.outcome).toMatchObject({
      kind: 'done',
      transfer: { project: OTHER_PROJECT, from: PARTNER, to: OTHER, by: APPROVER },
    });
  });

  it('refuses a non-approver, audited on each record it names, and changes nothing', async () => {
    const { deps, services } = ports();
    services.put(owned(PARTNER, OTHER_PROJECT));
    expect((await transfer(deps, request(PARTNER))).outcome).toEqual({ kind: 'refused' });
    const [record] = await services.serviceRecords('my-service', PROJECTS);
    expect(record?.owner).toEqual(PARTNER);
    expect((await services.serviceAudit(OTHER_PROJECT, 'my-service')).at(-1)).toMatchObject({
      action: 'refused',
      detail: `transfer my-service to ${OTHER.userId}: not an approver`,
    });
  });
});
