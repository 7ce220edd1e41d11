import { describe, expect, it } from 'vitest';
import { PendingImages } from '../../src/app/pending-images.ts';
import { resubmit, resubmitForm } from '../../src/app/resubmit.ts';
import { finishSubmit, submit } from '../../src/app/submit.ts';
import type { Submission } from '../../src/domain/submission.ts';
import { RegistryError } from '../../src/ports/registry.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';
import {
  APPROVER,
  OTHER,
  PARTNER,
  ports,
  requestId,
  settle,
  submitted,
  THREAD,
} from './fixtures.ts';

describe('submit', () => {
  it('stores a valid spec with what it owes: the post for review, the partner told', async () => {
    const { deps, store, registry } = ports();
    const result = await submit(deps, {
      actor: PARTNER,
      requestId: requestId(),
      form: sampleSpec(),
    });
    expect(result.outcome).toMatchObject({ kind: 'done', submission: { id: 'PG-0001' } });
    // The answer waits for the store only: the registry is asked after it, and the messages
    // (the review post shows the digest) are owed once its answer is stored.
    expect(registry.asked).toEqual([]);
    expect((await store.get('PG-0001'))?.revisions[0]?.image).toBeUndefined();
    expect(store.owed).toEqual([]);
    await result.afterwards?.();
    expect(registry.asked).toEqual(['eu.gcr.io/theplayground_repo/my_service:1.0.3']);
    expect(store.owed).toEqual([
      { id: 'PG-0001', intent: { kind: 'review' } },
      { id: 'PG-0001', intent: { kind: 'received' } },
    ]);
  });

  it('stores the submission whatever the registry says, with what it said', async () => {
    const { deps, store, registry } = ports();
    await settle(
      await submit(deps, { actor: PARTNER, requestId: requestId(), form: sampleSpec() }),
    );
    expect((await store.get('PG-0001'))?.revisions[0]?.image).toMatchObject({
      kind: 'resolved',
      digest: expect.stringMatching(/^sha256:/),
    });
    registry.refuse = new RegistryError(
      'denied',
      'eu.gcr.io refused',
      'bot@p.iam.gserviceaccount.com',
    );
    const refused = await settle(
      await submit(deps, { actor: PARTNER, requestId: requestId(), form: sampleSpec() }),
    );
    expect(refused).toMatchObject({ kind: 'done', submission: { status: 'submitted' } });
    expect(store.owed.filter((n) => n.id === 'PG-0002')).toHaveLength(2);
    expect((await store.get('PG-0002'))?.revisions[0]?.image).toMatchObject({
      kind: 'unresolved',
      code: 'denied',
      message: 'eu.gcr.io refused',
      account: 'bot@p.iam.gserviceaccount.com',
    });
  });

  it('answers the spec problems field by field and stores nothing', async () => {
    const { deps, store } = ports();
    const result = await submit(deps, {
      actor: PARTNER,
      requestId: requestId(),
      form: { ...sampleSpec(), PADDING: 300 },
    });
    expect(result.outcome.kind).toBe('invalid');
    const paths = result.outcome.kind === 'invalid' ? result.outcome.errors.map((e) => e.path) : [];
    expect(paths).toEqual(['PADDING']);
    expect(result.afterwards).toBeUndefined();
    expect(await store.listAll()).toEqual([]);
  });

  it('stores and announces once however often the same request comes', async () => {
    const { deps, store } = ports();
    const request = { actor: PARTNER, requestId: requestId(), form: sampleSpec() };
    await settle(await submit(deps, request));
    const again = await submit(deps, request);
    expect(again.outcome).toMatchObject({ kind: 'done', submission: { id: 'PG-0001' } });
    expect(again.afterwards).toBeUndefined();
    expect(await store.listAll()).toHaveLength(1);
    expect(store.owed.filter((n) => n.intent.kind === 'review')).toHaveLength(1);
  });

  it('finishes a submission whose instance stopped before asking the registry, once', async () => {
    const { deps, store, registry } = ports();
    // Stored and answered; what follows the answer never ran.
    await submit(deps, { actor: PARTNER, requestId: requestId(), form: sampleSpec() });
    const sweep = new PendingImages({ ...deps, everyMs: 1_000, graceMs: 30_000 });
    const stored = (await store.get('PG-0001'))?.createdAt ?? new Date();
    const at = (ms: number) => new Date(stored.getTime() + ms);
    expect(await sweep.finish(at(10_000))).toEqual([]); // within the grace: its own instance's
    expect(await sweep.finish(at(31_000))).toEqual(['PG-0001']);
    expect(registry.asked).toHaveLength(1);
    expect((await store.get('PG-0001'))?.revisions[0]?.image).toMatchObject({ kind: 'resolved' });
    expect(store.owed.map((n) => n.intent.kind)).toEqual(['review', 'received']);
    // Finished once: a later look, or a late finish from elsewhere, owes nothing again.
    expect(await sweep.finish(at(60_000))).toEqual([]);
    await finishSubmit(deps, (await store.get('PG-0001')) as Submission);
    expect(store.owed).toHaveLength(2);
  });
});

describe('resubmit', () => {
  async function sentBack() {
    const world = ports();
    const { id } = await submitted(world.store);
    await world.store.apply(id, 'request_changes', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { reason: 'padding 32' },
    });
    return { ...world, id };
  }

  it('gives the partner their submission to fill the form, and nobody else', async () => {
    const { deps, store, id } = await sentBack();
    const open = (actor: typeof PARTNER) =>
      resubmitForm(deps, { actor, id, requestId: requestId() });
    expect((await open(PARTNER)).outcome).toMatchObject({
      kind: 'done',
      submission: { id, revision: 1 },
    });
    for (const actor of [OTHER, APPROVER]) {
      expect((await open(actor)).outcome).toEqual({ kind: 'not_found', id });
    }
    const refusals = (await store.audit(id)).filter((e) => e.action === 'refused');
    expect(refusals.map((e) => [e.actor.userId, e.detail])).toEqual([
      [OTHER.userId, 'resubmit'],
      [APPROVER.userId, 'resubmit'],
    ]);
  });

  it('stores revision 2 with what it owes: the review message, a thread reply, the partner', async () => {
    const { deps, store, id } = await sentBack();
    const outcome = await settle(
      await resubmit(deps, {
        actor: PARTNER,
        id,
        requestId: requestId(),
        form: sampleSpec({ PADDING: 32 }),
      }),
    );
    expect(outcome).toMatchObject({ kind: 'done', submission: { id, revision: 2 } });
    const stored = await store.get(id);
    expect(stored?.status).toBe('submitted');
    expect(stored?.revisions.map((r) => r.spec.PADDING)).toEqual([24, 32]);
    expect(store.owed.slice(-3)).toEqual([
      { id, intent: { kind: 'review' } },
      { id, intent: { kind: 'reply', event: { action: 'resubmit', actor: PARTNER } } },
      { id, intent: { kind: 'received' } },
    ]);
    expect(stored?.thread).toEqual(THREAD);
  });

  it('voids an approval not started: the approver is owed a DM, the thread reply names them', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    await store.apply(id, 'approve', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { approval: { project: 'pg-dev-1', promote: true, by: APPROVER, at: new Date() } },
    });
    expect(
      (await resubmitForm(deps, { actor: PARTNER, id, requestId: requestId() })).outcome,
    ).toMatchObject({ kind: 'done' });
    const form = sampleSpec({ PADDING: 32 });
    const outcome = await settle(
      await resubmit(deps, { actor: PARTNER, id, requestId: requestId(), form }),
    );
    expect(outcome).toMatchObject({
      kind: 'done',
      submission: { status: 'submitted', revision: 2 },
    });
    expect((await store.get(id))?.approval).toBeUndefined();
    expect(store.owed.slice(-4)).toEqual([
      { id, intent: { kind: 'review' } },
      {
        id,
        intent: { kind: 'reply', event: { action: 'resubmit', actor: PARTNER, voids: APPROVER } },
      },
      { id, intent: { kind: 'received' } },
      { id, intent: { kind: 'voided', approver: APPROVER } },
    ]);
  });

  it("answers someone else's submission as not found and one not sent back as not allowed", async () => {
    const { deps, store, id } = await sentBack();
    const form = sampleSpec({ PADDING: 32 });
    expect(
      (await resubmit(deps, { actor: OTHER, id, requestId: requestId(), form })).outcome,
    ).toEqual({ kind: 'not_found', id });
    // Refused before the form is read: a broken form is no way around the audit.
    expect(
      (await resubmit(deps, { actor: OTHER, id, requestId: requestId(), form: { PADDING: 'x' } }))
        .outcome,
    ).toEqual({ kind: 'not_found', id });
    expect(
      (await store.audit(id)).filter((e) => e.action === 'refused').map((e) => e.detail),
    ).toEqual(['resubmit', 'resubmit']);
    expect((await store.get(id))?.revision).toBe(1);
    const waiting = await submitted(store);
    const outcome = (
      await resubmit(deps, { actor: PARTNER, id: waiting.id, requestId: requestId(), form })
    ).outcome;
    expect(outcome).toMatchObject({
      kind: 'not_allowed',
      action: 'resubmit',
      submission: { id: waiting.id, status: 'submitted' },
    });
  });
});
