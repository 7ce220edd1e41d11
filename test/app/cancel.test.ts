import { describe, expect, it } from 'vitest';
import { cancel } from '../../src/app/cancel.ts';
import { sampleRun } from '../helpers/sample-run.ts';
import { APPROVER, OTHER, PARTNER, ports, requestId, settle, submitted } from './fixtures.ts';

describe('cancel', () => {
  it('lets the partner cancel, once, with what it owes the thread; no pipeline to stop yet', async () => {
    const { deps, store, pipeline } = ports();
    const { id } = await submitted(store);
    const request = { actor: PARTNER, id, requestId: requestId() };
    const result = await cancel(deps, request);
    expect(result.outcome).toMatchObject({ kind: 'done', submission: { status: 'cancelled' } });
    await settle(result);
    const decision = { action: 'cancel', actor: PARTNER };
    expect(store.owed).toEqual([
      { id, intent: { kind: 'root', decision } },
      { id, intent: { kind: 'reply', event: decision } },
      { id, intent: { kind: 'decided', decision } },
    ]);
    expect(pipeline.calls).toEqual([]);

    const repeated = await cancel(deps, request);
    expect(repeated.outcome.kind).toBe('done');
    expect(repeated.afterwards).toBeUndefined();
    const again = await cancel(deps, { ...request, requestId: requestId() });
    expect(again.outcome).toMatchObject({ kind: 'not_allowed', action: 'cancel' });
    expect((await store.audit(id)).map((e) => e.action)).toEqual(['submit', 'cancel']);
  });

  it('stops a running pipeline, with what the cancel owes people', async () => {
    const { deps, store, pipeline } = ports();
    const { id } = await submitted(store);
    await store.apply(id, 'approve', { actor: APPROVER, requestId: requestId() });
    store.put(id, { pipeline: sampleRun() });
    await settle(await cancel(deps, { actor: APPROVER, id, requestId: requestId() }));
    expect(store.owed.map((n) => n.intent.kind)).toEqual(['root', 'reply', 'decided']);
    expect(pipeline.calls).toEqual([{ call: 'cancel', id, status: 'cancelled' }]);
  });

  it("answers someone else's submission as not found, whatever its id looks like, and audits it", async () => {
    const { deps, store, pipeline } = ports();
    const { id } = await submitted(store);
    for (const asked of [id, 'PG-0999', 'nonsense']) {
      const result = await cancel(deps, { actor: OTHER, id: asked, requestId: requestId() });
      expect(result.outcome).toEqual({ kind: 'not_found', id: asked });
      expect(result.afterwards).toBeUndefined();
    }
    expect((await store.get(id))?.status).toBe('submitted');
    const audit = await store.audit(id);
    expect(audit.map((e) => [e.action, e.actor.userId, e.detail])).toEqual([
      ['submit', PARTNER.userId, undefined],
      ['refused', OTHER.userId, 'cancel'],
    ]);
    expect(store.owed).toEqual([]);
    expect(pipeline.calls).toEqual([]);
  });
});
