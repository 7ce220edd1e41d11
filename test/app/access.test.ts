import { describe, expect, it } from 'vitest';
import { APPROVER, OTHER, PARTNER, ports, requestId, submitted } from './fixtures.ts';

describe('the access policy', () => {
  it('lets the partner and approvers see and cancel a submission, and nobody else', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    for (const use of ['view', 'cancel'] as const) {
      expect((await deps.access.find(PARTNER, id, use))?.id).toBe(id);
      expect((await deps.access.find(APPROVER, id, use))?.id).toBe(id);
      expect(await deps.access.find(OTHER, id, use)).toBeUndefined();
    }
  });

  it('lets only the partner resubmit, not even an approver', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    expect((await deps.access.find(PARTNER, id, 'resubmit'))?.id).toBe(id);
    expect(await deps.access.find(APPROVER, id, 'resubmit')).toBeUndefined();
  });

  it('reads ids in any case but only of the PG-0042 form, and answers missing like foreign', async () => {
    const { deps, store } = ports();
    await submitted(store);
    expect((await deps.access.find(PARTNER, 'pg-0001', 'view'))?.id).toBe('PG-0001');
    expect(await deps.access.find(PARTNER, '1', 'view')).toBeUndefined();
    expect(await deps.access.find(PARTNER, 'PG-0999', 'view')).toBeUndefined();
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

  it('refuses "list all" without writing anything (it is about no submission)', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    expect(await deps.access.approverOnly(PARTNER, 'list_all')).toEqual({
      kind: 'refused',
      action: 'list_all',
    });
    expect(await store.audit(id)).toHaveLength(1);
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
