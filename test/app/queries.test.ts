import { describe, expect, it } from 'vitest';
import { help, home, list, status } from '../../src/app/queries.ts';
import { APPROVER, OTHER, PARTNER, ports, requestId, submitted } from './fixtures.ts';

describe('status', () => {
  it('shows the partner their submission with its last change (not a refusal) and its thread', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    await store.apply(id, 'request_changes', { actor: APPROVER, requestId: requestId() });
    await store.recordRefusal(id, { actor: OTHER, requestId: requestId(), detail: 'approve' });
    const { outcome } = await status(deps, { actor: PARTNER, id: id.toLowerCase() });
    expect(outcome).toMatchObject({
      kind: 'done',
      submission: { id, status: 'changes_requested' },
      lastEvent: { action: 'request_changes' },
      threadLink: expect.stringContaining('slack.example'),
    });
  });

  it("answers another partner's submission exactly like a missing one", async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    expect((await status(deps, { actor: OTHER, id })).outcome).toEqual({ kind: 'not_found', id });
    expect((await status(deps, { actor: APPROVER, id })).outcome.kind).toBe('done');
  });
});

describe('list', () => {
  it("lists a partner's own submissions, and everyone's for approvers only", async () => {
    const { deps, store } = ports();
    const mine = await submitted(store, PARTNER);
    const theirs = await submitted(store, OTHER);
    const own = (await list(deps, { actor: PARTNER, all: false })).outcome;
    expect(own.kind === 'done' && own.submissions.map((s) => s.id)).toEqual([mine.id]);
    expect((await list(deps, { actor: PARTNER, all: true })).outcome).toEqual({
      kind: 'refused',
      action: 'list_all',
    });
    const all = (await list(deps, { actor: APPROVER, all: true })).outcome;
    expect(all.kind === 'done' && all.submissions.map((s) => s.id)).toEqual([theirs.id, mine.id]);
  });
});

describe('home and help', () => {
  it('give approvers the review queue and their commands, partners their own only', async () => {
    const { deps, store } = ports();
    const waiting = await submitted(store, PARTNER);
    const done = await submitted(store, PARTNER);
    await store.apply(done.id, 'reject', { actor: APPROVER, requestId: requestId() });

    const partner = (await home(deps, { actor: PARTNER })).outcome;
    expect(partner.mine.map((s) => s.id)).toEqual([done.id, waiting.id]);
    expect(partner.queue).toBeUndefined();
    const approver = (await home(deps, { actor: APPROVER })).outcome;
    expect(approver.mine).toEqual([]);
    expect(approver.queue?.map((s) => s.id)).toEqual([waiting.id]);

    expect((await help(deps, { actor: PARTNER })).outcome).toEqual({
      kind: 'done',
      approver: false,
    });
    expect((await help(deps, { actor: APPROVER })).outcome).toEqual({
      kind: 'done',
      approver: true,
    });
  });
});
