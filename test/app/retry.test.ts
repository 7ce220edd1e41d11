import { describe, expect, it } from 'vitest';
import { retry } from '../../src/app/retry.ts';
import { StoreError } from '../../src/ports/store.ts';
import { sampleRun } from '../helpers/sample-run.ts';
import { APPROVER, PARTNER, ports, requestId, submitted } from './fixtures.ts';

async function failed() {
  const world = ports();
  const { id } = await submitted(world.store);
  await world.store.apply(id, 'approve', { actor: APPROVER, requestId: requestId() });
  await world.store.apply(id, 'fail', { actor: APPROVER, requestId: requestId() });
  world.store.put(id, { pipeline: sampleRun() });
  return { ...world, id };
}

describe('retry', () => {
  it('starts a new attempt of a failed pipeline for an approver', async () => {
    const { deps, pipeline, id } = await failed();
    const { outcome } = await retry(deps, { actor: APPROVER, id, requestId: requestId() });
    expect(outcome).toMatchObject({ kind: 'done', submission: { id } });
    expect(pipeline.calls).toEqual([{ call: 'retry', id, status: 'failed' }]);
  });

  it('refuses and audits a partner', async () => {
    const { deps, store, pipeline, id } = await failed();
    const { outcome } = await retry(deps, { actor: PARTNER, id, requestId: requestId() });
    expect(outcome).toEqual({ kind: 'refused', action: 'retry' });
    expect((await store.audit(id)).at(-1)).toMatchObject({ action: 'refused', detail: 'retry' });
    expect(pipeline.calls).toEqual([]);
  });

  it('says what the submission is now when it is not failed, or when another retry came first', async () => {
    const { deps, store, pipeline, id } = await failed();
    const waiting = await submitted(store);
    const early = await retry(deps, { actor: APPROVER, id: waiting.id, requestId: requestId() });
    expect(early.outcome).toMatchObject({
      kind: 'not_allowed',
      action: 'start_build',
      submission: { status: 'submitted' },
    });

    pipeline.retryError = new StoreError('conflict', 'another instance holds the lease');
    const raced = await retry(deps, { actor: APPROVER, id, requestId: requestId() });
    expect(raced.outcome).toMatchObject({ kind: 'not_allowed', action: 'start_build' });

    pipeline.retryError = new Error('a bug');
    await expect(retry(deps, { actor: APPROVER, id, requestId: requestId() })).rejects.toThrow(
      'a bug',
    );
  });

  it('answers a missing submission as not found', async () => {
    const { deps } = ports();
    const { outcome } = await retry(deps, {
      actor: APPROVER,
      id: 'PG-0404',
      requestId: requestId(),
    });
    expect(outcome).toEqual({ kind: 'not_found', id: 'PG-0404' });
  });
});
