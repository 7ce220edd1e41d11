import { describe, expect, it } from 'vitest';
import type { ApprovalChoice } from '../../src/app/review.ts';
import { approve, openReview, reject, requestChanges } from '../../src/app/review.ts';
import { submit } from '../../src/app/submit.ts';
import { approvalHash, openedOn } from '../../src/domain/approval-binding.ts';
import { RegistryError } from '../../src/ports/registry.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';
import {
  APPROVER,
  directory,
  OTHER,
  PARTNER,
  ports,
  requestId,
  settle,
  submitted,
} from './fixtures.ts';

/** What every form here is opened on: the first revision of the sample spec. */
const OPENED = {
  revision: 1,
  hash: approvalHash({
    number: 1,
    spec: sampleSpec(),
    warnings: [],
    submittedBy: PARTNER,
    submittedAt: new Date(),
  }),
};

const CHOICE = { ok: true as const, project: 'pg-dev-1', versionLabel: 'v1', promote: true };
const choose =
  (choice: { ok: true } & ApprovalChoice = CHOICE) =>
  () =>
    choice;

describe('opening a review', () => {
  it('gives an approver the submission waiting for review', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    const { outcome } = await openReview(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      action: 'reject',
    });
    expect(outcome).toMatchObject({ kind: 'done', submission: { id } });
  });

  it('refuses (and audits) a partner, and says when the submission moved on or is missing', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    const asPartner = await openReview(deps, {
      actor: PARTNER,
      id,
      requestId: requestId(),
      action: 'approve',
    });
    expect(asPartner.outcome).toEqual({ kind: 'refused', action: 'approve' });
    expect((await store.audit(id)).map((e) => e.action)).toEqual(['submit', 'refused']);

    await store.apply(id, 'cancel', { actor: PARTNER, requestId: requestId() });
    const late = await openReview(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      action: 'approve',
    });
    expect(late.outcome).toMatchObject({
      kind: 'not_allowed',
      action: 'approve',
      submission: { status: 'cancelled' },
    });
    const missing = await openReview(deps, {
      actor: APPROVER,
      id: 'PG-0404',
      requestId: requestId(),
      action: 'approve',
    });
    expect(missing.outcome).toEqual({ kind: 'not_found', id: 'PG-0404' });
  });
});

describe('approve', () => {
  it('stores the approval once with what it owes the thread and the partner, then starts the pipeline', async () => {
    const { deps, store, pipeline } = ports();
    const { id } = await submitted(store);
    const result = await approve(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      opened: OPENED,
      checkForm: choose(),
    });
    expect(result.outcome).toMatchObject({ kind: 'done', submission: { status: 'approved' } });
    expect(pipeline.calls).toEqual([]);
    const decision = { action: 'approve', actor: APPROVER };
    expect(store.owed).toEqual([
      { id, intent: { kind: 'root', decision } },
      { id, intent: { kind: 'reply', event: decision } },
      { id, intent: { kind: 'decided', decision } },
    ]);
    await settle(result);
    expect(pipeline.calls).toEqual([{ call: 'start', id, status: 'approved' }]);
    expect((await store.get(id))?.approval).toMatchObject({
      project: 'pg-dev-1',
      versionLabel: 'v1',
      promote: true,
      by: APPROVER,
    });
  });

  it('refuses a spec no Cloud Build machine can test, with the numbers, and starts nothing', async () => {
    const { deps, store, pipeline } = ports();
    const { submission } = await store.create({
      partner: PARTNER,
      spec: sampleSpec({ resources: { cpu: 8, memory_gb: 40, disk_size_gb: 10 } }),
      warnings: [],
      requestId: requestId(),
    });
    const result = await approve(deps, {
      actor: APPROVER,
      id: submission.id,
      requestId: requestId(),
      opened: await openedAt(store, submission.id),
      checkForm: choose(),
    });
    expect(result.outcome).toEqual({
      kind: 'invalid',
      errors: {
        project:
          'resources.memory_gb 40 is more than the largest Cloud Build machine (E2_HIGHCPU_32, 32 GB) can test; at most 32 GB can be wrapped',
      },
    });
    await settle(result);
    expect(pipeline.calls).toEqual([]);
    expect((await store.get(submission.id))?.status).toBe('submitted');
  });

  it('starts nothing twice: a repeated request and a second approver change nothing', async () => {
    const { deps, store, pipeline } = ports();
    const { id } = await submitted(store);
    const request = {
      actor: APPROVER,
      id,
      requestId: requestId(),
      opened: OPENED,
      checkForm: choose(),
    };
    await settle(await approve(deps, request));
    const repeated = await approve(deps, request);
    expect(repeated.outcome.kind).toBe('done');
    expect(repeated.afterwards).toBeUndefined();
    const second = await approve(deps, { ...request, requestId: requestId() });
    // The second approver's form was opened on a submission waiting for review.
    expect(second.outcome).toEqual({
      kind: 'stale',
      id,
      action: 'approve',
      change: { kind: 'status', status: 'approved' },
    });
    expect(pipeline.calls).toHaveLength(1);
    expect((await store.audit(id)).filter((e) => e.action === 'approve')).toHaveLength(1);
  });

  it('checks the form against the submission, only for an approver', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    const seen: string[] = [];
    const checkForm = (submission: { id: string }) => {
      seen.push(submission.id);
      return { ok: false as const, errors: { version: 'Too long' } };
    };
    const refused = await approve(deps, {
      actor: PARTNER,
      id,
      requestId: requestId(),
      opened: OPENED,
      checkForm,
    });
    expect(refused.outcome).toEqual({ kind: 'refused', action: 'approve' });
    expect(seen).toEqual([]);
    const invalid = await approve(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      opened: OPENED,
      checkForm,
    });
    expect(invalid.outcome).toEqual({ kind: 'invalid', errors: { version: 'Too long' } });
    expect(seen).toEqual([id]);
    expect((await store.get(id))?.status).toBe('submitted');
  });
});

describe('a decision form opened on what the submission no longer is', () => {
  it('is refused with what changed, audited, and nothing is decided', async () => {
    const { deps, store, pipeline } = ports();
    const { id } = await submitted(store);
    await store.apply(id, 'request_changes', { actor: APPROVER, requestId: requestId() });
    await store.resubmit(id, {
      actor: PARTNER,
      spec: sampleSpec({ image: 'docker.io/other/thing:2.0' }),
      warnings: [],
      requestId: requestId(),
    });
    const stale = await approve(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      opened: OPENED,
      checkForm: choose(),
    });
    expect(stale.outcome).toEqual({
      kind: 'stale',
      id,
      action: 'approve',
      change: { kind: 'revision', now: 2, opened: 1 },
    });
    const reason = { ok: true as const, reason: 'No.' };
    const sameNumber = { revision: 2, hash: OPENED.hash };
    const rejected = await reject(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      opened: sameNumber,
      reason,
    });
    expect(rejected.outcome).toMatchObject({ kind: 'stale', change: { kind: 'spec' } });
    expect(
      (await store.audit(id)).filter((e) => e.action === 'refused').map((e) => e.detail),
    ).toEqual([
      'approve: changed since the form was opened: it is now at revision 2 (you opened revision 1)',
      'reject: changed since the form was opened: its spec changed',
    ]);
    expect((await store.get(id))?.status).toBe('submitted');
    expect(pipeline.calls).toEqual([]);
  });
});

describe('reject and request changes', () => {
  it('store the reason and pass it on', async () => {
    const { deps, store } = ports();
    const first = await submitted(store);
    const second = await submitted(store);
    const reason = { ok: true as const, reason: 'Use padding 32.' };
    await settle(
      await requestChanges(deps, {
        actor: APPROVER,
        id: first.id,
        requestId: requestId(),
        opened: OPENED,
        reason,
      }),
    );
    await settle(
      await reject(deps, {
        actor: APPROVER,
        id: second.id,
        requestId: requestId(),
        opened: OPENED,
        reason,
      }),
    );
    expect(await store.get(first.id)).toMatchObject({
      status: 'changes_requested',
      reason: 'Use padding 32.',
    });
    expect((await store.get(second.id))?.status).toBe('rejected');
    expect(store.owed.filter((n) => n.intent.kind === 'decided')).toEqual([
      {
        id: first.id,
        intent: {
          kind: 'decided',
          decision: { action: 'request_changes', actor: APPROVER, reason: 'Use padding 32.' },
        },
      },
      {
        id: second.id,
        intent: {
          kind: 'decided',
          decision: { action: 'reject', actor: APPROVER, reason: 'Use padding 32.' },
        },
      },
    ]);
  });

  it('refuse a partner before looking at the reason, and keep a blank reason from the store', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    const blank = { ok: false as const, errors: { reason: 'Write a reason' } };
    expect(
      (
        await reject(deps, {
          actor: PARTNER,
          id,
          requestId: requestId(),
          opened: OPENED,
          reason: blank,
        })
      ).outcome,
    ).toEqual({ kind: 'refused', action: 'reject' });
    expect(
      (
        await reject(deps, {
          actor: APPROVER,
          id,
          requestId: requestId(),
          opened: OPENED,
          reason: blank,
        })
      ).outcome,
    ).toEqual({ kind: 'invalid', errors: { reason: 'Write a reason' } });
    expect((await store.get(id))?.status).toBe('submitted');
  });

  it('answer a missing submission as not found', async () => {
    const { deps } = ports();
    const reason = { ok: true as const, reason: 'no' };
    const { outcome } = await reject(deps, {
      actor: APPROVER,
      id: 'PG-0404',
      requestId: requestId(),
      opened: OPENED,
      reason,
    });
    expect(outcome).toEqual({ kind: 'not_found', id: 'PG-0404' });
  });
});

/** `actor` sends the approve form for `id`, choosing as `checkForm` says. */
/** What a form opened now on the stored submission carries. */
async function openedAt(store: ReturnType<typeof ports>['store'], id: string) {
  const submission = await store.get(id);
  const opened = submission && openedOn(submission);
  if (!opened) throw new Error(`${id} has no current revision`);
  return opened;
}

function approveAs(
  deps: ReturnType<typeof ports>['deps'],
  actor: typeof APPROVER,
  id: string,
  checkForm = choose(),
) {
  return approve(deps, { actor, id, requestId: requestId(), opened: OPENED, checkForm });
}

describe('who may approve which', () => {
  it('refuses (and audits) an approver approving their own submission, at the button and at the form', async () => {
    const { deps, store, pipeline } = ports();
    const { id } = await submitted(store, APPROVER);
    const refusal = {
      kind: 'refused',
      action: 'approve',
      rule: { name: 'self_approval', id },
    };
    const button = await openReview(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      action: 'approve',
    });
    expect(button.outcome).toEqual(refusal);
    const form = await approveAs(deps, APPROVER, id);
    expect(form.outcome).toEqual(refusal);
    await settle(form);
    expect(pipeline.calls).toEqual([]);
    expect((await store.get(id))?.status).toBe('submitted');
    const refused = (await store.audit(id)).filter((e) => e.action === 'refused');
    expect(refused.map((e) => [e.actor.userId, e.detail])).toEqual([
      [APPROVER.userId, 'approve: self-approval'],
      [APPROVER.userId, 'approve: self-approval'],
    ]);
    // Rejecting or asking for changes to one's own submission stays open.
    const reviewing = await openReview(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      action: 'reject',
    });
    expect(reviewing.outcome.kind).toBe('done');
  });

  it('lets an approver approve their own submission when configuration allows it', async () => {
    const { deps, store, pipeline } = ports({ allowSelfApproval: true, projectApprovers: {} });
    const { id } = await submitted(store, APPROVER);
    const result = await approveAs(deps, APPROVER, id);
    expect(result.outcome).toMatchObject({ kind: 'done', submission: { status: 'approved' } });
    await settle(result);
    expect(pipeline.calls).toEqual([{ call: 'start', id, status: 'approved' }]);
  });

  it("lets only a project's own approvers approve into it, naming who may", async () => {
    const projectApprovers = { 'pg-prod-1': directory(OTHER.userId, 'SPRODTEAM') };
    const { deps, store, approvers } = ports({ allowSelfApproval: false, projectApprovers });
    approvers.add(OTHER.userId);
    const { id } = await submitted(store);
    const intoProd = choose({ ...CHOICE, project: 'pg-prod-1' });
    const refused = await approveAs(deps, APPROVER, id, intoProd);
    expect(refused.outcome).toEqual({
      kind: 'refused',
      action: 'approve',
      rule: {
        name: 'project_approvers',
        project: 'pg-prod-1',
        approvers: [OTHER.userId, 'SPRODTEAM'],
      },
    });
    expect((await store.audit(id)).at(-1)).toMatchObject({
      action: 'refused',
      actor: APPROVER,
      detail: 'approve into pg-prod-1: not its approver',
    });
    expect((await store.get(id))?.status).toBe('submitted');

    const approved = await approveAs(deps, OTHER, id, intoProd);
    expect(approved.outcome).toMatchObject({ kind: 'done', submission: { status: 'approved' } });
  });

  it('keeps the default approvers for projects without their own', async () => {
    const projectApprovers = { 'pg-prod-1': directory(OTHER.userId) };
    const { deps, store } = ports({ allowSelfApproval: false, projectApprovers });
    const { id } = await submitted(store);
    const result = await approveAs(deps, APPROVER, id);
    expect(result.outcome).toMatchObject({
      kind: 'done',
      submission: { approval: { project: 'pg-dev-1' } },
    });
  });
});

describe('the image at approval', () => {
  const unknownTag = () => new RegistryError('not_found', 'eu.gcr.io has no such tag');

  it('keeps the digest resolved at submit without asking the registry again', async () => {
    const { deps, store, registry } = ports();
    // Resolved once the partner had the answer.
    await settle(
      await submit(deps, { actor: PARTNER, requestId: requestId(), form: sampleSpec() }),
    );
    expect(registry.asked).toHaveLength(1);
    const id = 'PG-0001';
    await approve(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      opened: await openedAt(store, id),
      checkForm: choose(),
    });
    expect(registry.asked).toHaveLength(1);
    expect((await store.get(id))?.status).toBe('approved');
  });

  it('resolves an unresolved image again and stores the digest with the approval', async () => {
    const { deps, store, registry } = ports();
    const { id } = await submitted(store); // stored without a digest
    await approve(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      opened: await openedAt(store, id),
      checkForm: choose(),
    });
    expect(registry.asked).toEqual(['eu.gcr.io/theplayground_repo/my_service:1.0.3']);
    const approved = await store.get(id);
    expect(approved?.status).toBe('approved');
    expect(approved?.revisions[0]?.image).toMatchObject({ kind: 'resolved' });
    expect((await store.audit(id)).map((e) => e.action)).toEqual(['submit', 'approve']);
  });

  it('refuses while the registry still cannot resolve it, audited; nothing starts', async () => {
    const { deps, store, registry, pipeline } = ports();
    const { id } = await submitted(store);
    registry.refuse = unknownTag();
    const result = await approve(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      opened: await openedAt(store, id),
      checkForm: choose(),
    });
    expect(result.outcome).toMatchObject({
      kind: 'refused',
      rule: { name: 'unresolved_image', unresolved: { code: 'not_found' } },
    });
    expect(result.afterwards).toBeUndefined();
    expect(pipeline.calls).toEqual([]);
    expect((await store.get(id))?.status).toBe('submitted');
    expect((await store.audit(id)).at(-1)).toMatchObject({
      action: 'refused',
      actor: APPROVER,
      detail: 'approve: image unresolved (not_found: eu.gcr.io has no such tag)',
    });
  });

  it('approves by tag when the approver chose it, audited as such', async () => {
    const { deps, store, registry } = ports();
    const { id } = await submitted(store);
    registry.refuse = unknownTag();
    const byTag = choose({ ...CHOICE, byTag: true });
    const result = await approve(deps, {
      actor: APPROVER,
      id,
      requestId: requestId(),
      opened: await openedAt(store, id),
      checkForm: byTag,
    });
    expect(result.outcome).toMatchObject({ kind: 'done', submission: { status: 'approved' } });
    expect((await store.audit(id)).at(-1)).toMatchObject({
      action: 'approve',
      detail: 'approved by tag: not_found: eu.gcr.io has no such tag',
    });
    expect((await store.get(id))?.revisions[0]?.image).toMatchObject({ kind: 'unresolved' });
  });
});
