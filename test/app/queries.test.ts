import { describe, expect, it } from 'vitest';
import { help, history, home, list, status } from '../../src/app/queries.ts';
import { APPROVER, OTHER, PARTNER, ports, requestId, submitted } from './fixtures.ts';

describe('status', () => {
  it('shows the partner their submission with its last change (not a refusal) and its thread', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    await store.apply(id, 'request_changes', { actor: APPROVER, requestId: requestId() });
    await store.recordRefusal(id, { actor: OTHER, requestId: requestId(), detail: 'approve' });
    const { outcome } = await status(deps, {
      actor: PARTNER,
      id: id.toLowerCase(),
      requestId: requestId(),
    });
    expect(outcome).toMatchObject({
      kind: 'done',
      submission: { id, status: 'changes_requested' },
      lastEvent: { action: 'request_changes' },
      threadLink: expect.stringContaining('slack.example'),
    });
  });

  it("answers another partner's submission exactly like a missing one, and audits the look", async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    const ask = (actor: typeof PARTNER, asked = id) =>
      status(deps, { actor, id: asked, requestId: requestId() });
    expect((await ask(OTHER)).outcome).toEqual({ kind: 'not_found', id });
    expect((await ask(OTHER, 'PG-0999')).outcome).toEqual({ kind: 'not_found', id: 'PG-0999' });
    expect((await ask(APPROVER)).outcome.kind).toBe('done');
    expect((await ask(PARTNER)).outcome.kind).toBe('done');
    const audit = await store.audit(id);
    expect(audit.map((e) => [e.action, e.actor.userId, e.detail])).toEqual([
      ['submit', PARTNER.userId, undefined],
      ['refused', OTHER.userId, 'view'],
    ]);
  });
});

describe('history', () => {
  it('gives the partner and approvers the whole trail, refusals included', async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    await status(deps, { actor: OTHER, id, requestId: requestId() });
    await store.apply(id, 'request_changes', { actor: APPROVER, requestId: requestId() });
    for (const actor of [PARTNER, APPROVER]) {
      const { outcome } = await history(deps, {
        actor,
        id: id.toLowerCase(),
        requestId: requestId(),
      });
      expect(outcome).toMatchObject({ kind: 'done', submission: { id } });
      if (outcome.kind !== 'done') throw new Error('expected the trail');
      expect(outcome.events.map((e) => [e.action, e.actor.userId])).toEqual([
        ['submit', PARTNER.userId],
        ['refused', OTHER.userId],
        ['request_changes', APPROVER.userId],
      ]);
    }
  });

  it("answers another partner's trail like a missing one, and audits the look", async () => {
    const { deps, store } = ports();
    const { id } = await submitted(store);
    const theirs = await history(deps, { actor: OTHER, id, requestId: requestId() });
    const missing = await history(deps, { actor: OTHER, id: 'PG-0999', requestId: requestId() });
    expect(theirs.outcome).toEqual({ kind: 'not_found', id });
    expect(missing.outcome).toEqual({ kind: 'not_found', id: 'PG-0999' });
    expect((await store.audit(id)).at(-1)).toMatchObject({
      action: 'refused',
      actor: OTHER,
      detail: 'view',
    });
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
