import { describe, expect, it } from 'vitest';
import { APPROVER, OTHER, PARTNER, ports, requestId, submitted } from './fixtures.ts';

describe('the access policy', () => {
  const about = (id: string) => ({ id, requestId: requestId() });

  it('lets the partner and approvers see and cancel a submission, and nobody else', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    for (const use of ['view', 'cancel'] as const) {
      expect((await deps.access.find(PARTNER, use, about(id)))?.id).toBe(id);
      expect((await deps.access.find(APPROVER, use, about(id)))?.id).toBe(id);
      expect(await deps.access.find(OTHER, use, about(id))).toBeUndefined();
    }
  });

  it('lets only the partner resubmit, not even an approver', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    expect((await deps.access.find(PARTNER, 'resubmit', about(id)))?.id).toBe(id);
    expect(await deps.access.find(APPROVER, 'resubmit', about(id))).toBeUndefined();
  });

  it('reads ids in any case but only of the PG-0042 form, and answers missing like foreign', async () => {
    const { deps, store } = ports();
    await submitted(store);
    expect((await deps.access.find(PARTNER, 'view', about('pg-0001')))?.id).toBe('PG-0001');
    expect(await deps.access.find(PARTNER, 'view', about('1'))).toBeUndefined();
    expect(await deps.access.find(PARTNER, 'view', about('PG-0999'))).toBeUndefined();
  });

  it("audits and logs every use of someone else's submission, once per request, and only those", async () => {
    const { deps, store, logs } = ports();
    const { id } = await submitted(store);
    const repeated = about(id.toLowerCase());
    await deps.access.find(OTHER, 'view', repeated);
    await deps.access.find(OTHER, 'view', repeated);
    await deps.access.find(OTHER, 'cancel', about(id));
    await deps.access.find(APPROVER, 'resubmit', about(id));
    // Allowed uses, and ids naming no submission, leave no trace.
    await deps.access.find(PARTNER, 'resubmit', about(id));
    await deps.access.find(APPROVER, 'cancel', about(id));
    await deps.access.find(OTHER, 'view', about('PG-0999'));
    await deps.access.find(OTHER, 'view', about('nonsense'));
    const audit = await store.audit(id);
    expect(audit.map((e) => [e.action, e.actor.userId, e.detail, e.requestId])).toEqual([
      ['submit', PARTNER.userId, undefined, expect.any(String)],
      ['refused', OTHER.userId, 'view', repeated.requestId],
      ['refused', OTHER.userId, 'cancel', expect.any(String)],
      ['refused', APPROVER.userId, 'resubmit', expect.any(String)],
    ]);
    expect((await store.get(id))?.lastEvent?.action).toBe('submit');
    const refusals = logs.filter((l) => l.message === 'refused');
    expect(refusals.map((l) => [l.userId, l.action, l.submissionId])).toEqual([
      [OTHER.userId, 'view', id],
      [OTHER.userId, 'view', id],
      [OTHER.userId, 'cancel', id],
      [APPROVER.userId, 'resubmit', id],
    ]);
  });

  it('refuses approver-only actions to others, logs and audits the attempt', async () => {
    const { deps, store, logs } = ports();
    const { id } = await submitted(store);
    const request = requestId();
    expect(await deps.access.approverOnly(APPROVER, 'approve', { id, requestId: request })).toBe(
      undefined,
    );
    expect(await deps.access.approverOnly(PARTNER, 'approve', { id, requestId: request })).toEqual({
      kind: 'refused',
      action: 'approve',
    });
    const audit = await store.audit(id);
    expect(audit.map((e) => [e.action, e.actor.userId, e.detail])).toEqual([
      ['submit', PARTNER.userId, undefined],
      ['refused', PARTNER.userId, 'approve'],
    ]);
    expect((await store.get(id))?.status).toBe('submitted');
    expect(logs).toContainEqual(
      expect.objectContaining({ message: 'refused', userId: PARTNER.userId, submissionId: id }),
    );
  });

  it('hands an approver-only action its submission, refusing others before looking it up', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    const ask = (actor: typeof PARTNER, asked: string) =>
      deps.access.forApprover(actor, 'retry', { id: asked, requestId: requestId() });
    expect(await ask(APPROVER, id)).toMatchObject({ kind: 'done', submission: { id } });
    expect(await ask(APPROVER, 'PG-0404')).toEqual({ kind: 'not_found', id: 'PG-0404' });
    expect(await ask(PARTNER, 'PG-0404')).toEqual({ kind: 'refused', action: 'retry' });
  });

  it('refuses "list all" with a log line and no audit event (it is about no submission)', async () => {
    const { deps, store, logs } = ports();
    const { id } = await submitted(store);
    expect(await deps.access.approverOnly(PARTNER, 'list_all')).toEqual({
      kind: 'refused',
      action: 'list_all',
    });
    expect(await store.audit(id)).toHaveLength(1);
    expect(logs).toContainEqual(
      expect.objectContaining({ message: 'refused', userId: PARTNER.userId, action: 'list_all' }),
    );
  });

  it('stands by a refusal it cannot write down', async () => {
    const { deps, logs } = ports();
    const refused = await deps.access.approverOnly(OTHER, 'retry', {
      id: 'PG-0404',
      requestId: requestId(),
    });
    expect(refused).toEqual({ kind: 'refused', action: 'retry' });
    expect(logs).toContainEqual(expect.objectContaining({ message: 'could not audit a refusal' }));
  });
});
