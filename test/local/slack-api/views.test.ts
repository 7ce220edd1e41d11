import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackApiStandIn } from '../../../src/local/slack-api/server.ts';
import {
  APPROVER,
  homeView,
  manualClock,
  modal,
  PARTNER,
  section,
  slackError,
  standIn,
  type WebClient,
} from './fixtures.ts';

const clock = manualClock();
let api: SlackApiStandIn;
let web: WebClient;

beforeAll(async () => {
  ({ api, web } = await standIn({ clock }));
});
afterAll(() => api.close());
beforeEach(() => api.reset());

describe('views.open and trigger ids', () => {
  it('opens a modal for the user the trigger was issued to', async () => {
    const trigger = api.issueTrigger(PARTNER);
    expect(trigger).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
    const res = await web.views.open({
      trigger_id: trigger,
      view: modal({ private_metadata: 'PG-0001' }),
    });
    expect(res.view).toMatchObject({
      type: 'modal',
      callback_id: 'submit_model',
      private_metadata: 'PG-0001',
      state: { values: {} },
      previous_view_id: null,
    });
    expect(res.view?.id).toMatch(/^V[0-9A-Z]{10}$/);
    expect(res.view?.root_view_id).toBe(res.view?.id);
    expect(res.view?.hash).toMatch(/^\d+\.[0-9a-f]+$/);
    expect(api.openViews(PARTNER).map((v) => v.id)).toEqual([res.view?.id]);
    expect(api.openViews(APPROVER)).toEqual([]);
    expect(api.callsTo('views.open')[0]?.args.view).toMatchObject({ callback_id: 'submit_model' });
  });

  it('answers invalid_trigger_id for a trigger it never issued', async () => {
    const error = await slackError(
      web.views.open({ trigger_id: '12345.98765.abcd2358fdea', view: modal() }),
    );
    expect(error.error).toBe('invalid_trigger_id');
  });

  it('answers expired_trigger_id once the 3 seconds are over', async () => {
    const trigger = api.issueTrigger(PARTNER);
    clock.advance(3001);
    expect((await slackError(web.views.open({ trigger_id: trigger, view: modal() }))).error).toBe(
      'expired_trigger_id',
    );
    expect(api.openViews(PARTNER)).toEqual([]);
  });

  it('accepts a trigger at exactly 3 seconds', async () => {
    const trigger = api.issueTrigger(PARTNER);
    clock.advance(3000);
    expect((await web.views.open({ trigger_id: trigger, view: modal() })).ok).toBe(true);
  });

  it('answers exchanged_trigger_id for a trigger used twice', async () => {
    const trigger = api.issueTrigger(PARTNER);
    await web.views.open({ trigger_id: trigger, view: modal() });
    expect((await slackError(web.views.open({ trigger_id: trigger, view: modal() }))).error).toBe(
      'exchanged_trigger_id',
    );
  });

  it('refuses an over-limit modal with invalid_arguments and keeps the trigger usable', async () => {
    const trigger = api.issueTrigger(PARTNER);
    const error = await slackError(
      web.views.open({
        trigger_id: trigger,
        view: modal({ title: { type: 'plain_text', text: 'Submit a model to the Playground' } }),
      }),
    );
    expect(error).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: {
        messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/title/text]'],
      },
    });
    expect((await web.views.open({ trigger_id: trigger, view: modal() })).ok).toBe(true);
  });

  it('refuses a home view in views.open', async () => {
    const error = await slackError(
      web.views.open({ trigger_id: api.issueTrigger(PARTNER), view: homeView([]) }),
    );
    expect(error.error).toBe('invalid_arguments');
  });
});

describe('views.push', () => {
  it('stacks up to three views, then push_limit_reached', async () => {
    const root = await web.views.open({ trigger_id: api.issueTrigger(PARTNER), view: modal() });
    const second = await web.views.push({
      trigger_id: api.issueTrigger(PARTNER),
      view: modal({ callback_id: 'two' }),
    });
    expect(second.view).toMatchObject({
      root_view_id: root.view?.id,
      previous_view_id: root.view?.id,
    });
    await web.views.push({
      trigger_id: api.issueTrigger(PARTNER),
      view: modal({ callback_id: 'three' }),
    });
    const error = await slackError(
      web.views.push({ trigger_id: api.issueTrigger(PARTNER), view: modal() }),
    );
    expect(error.error).toBe('push_limit_reached');
    expect(api.openViews(PARTNER).map((v) => v.callback_id)).toEqual([
      'submit_model',
      'two',
      'three',
    ]);
  });

  it('answers not_found when the user has no modal open, and checks the trigger like views.open', async () => {
    expect(
      (await slackError(web.views.push({ trigger_id: api.issueTrigger(PARTNER), view: modal() })))
        .error,
    ).toBe('not_found');
    expect((await slackError(web.views.push({ trigger_id: 'nope', view: modal() }))).error).toBe(
      'invalid_trigger_id',
    );
  });
});

describe('views.update', () => {
  it('replaces a view by id, keeping id and root, with a new hash', async () => {
    const opened = await web.views.open({ trigger_id: api.issueTrigger(PARTNER), view: modal() });
    const id = opened.view?.id as string;
    const updated = await web.views.update({
      view_id: id,
      hash: opened.view?.hash as string,
      view: modal({ callback_id: 'approve' }),
    });
    expect(updated.view).toMatchObject({ id, root_view_id: id, callback_id: 'approve' });
    expect(updated.view?.hash).not.toBe(opened.view?.hash);
    expect(api.openViews(PARTNER)[0]?.callback_id).toBe('approve');
  });

  it('answers hash_conflict for a stale hash and leaves the view alone', async () => {
    const opened = await web.views.open({ trigger_id: api.issueTrigger(PARTNER), view: modal() });
    const id = opened.view?.id as string;
    await web.views.update({ view_id: id, view: modal({ callback_id: 'second' }) });
    const error = await slackError(
      web.views.update({
        view_id: id,
        hash: opened.view?.hash as string,
        view: modal({ callback_id: 'third' }),
      }),
    );
    expect(error.error).toBe('hash_conflict');
    expect(api.openViews(PARTNER)[0]?.callback_id).toBe('second');
  });

  it('finds a view by external_id, and answers not_found for unknown ids', async () => {
    await web.views.open({
      trigger_id: api.issueTrigger(PARTNER),
      view: modal({ external_id: 'PG-0001-r1' }),
    });
    const updated = await web.views.update({
      external_id: 'PG-0001-r1',
      view: modal({ external_id: 'PG-0001-r1', callback_id: 'x' }),
    });
    expect(updated.view?.callback_id).toBe('x');
    expect(
      (await slackError(web.views.update({ view_id: 'VNOPE00000', view: modal() }))).error,
    ).toBe('not_found');
    expect((await slackError(web.views.update({ external_id: 'nope', view: modal() }))).error).toBe(
      'not_found',
    );
  });

  it('answers duplicate_external_id when another open view has it', async () => {
    await web.views.open({
      trigger_id: api.issueTrigger(PARTNER),
      view: modal({ external_id: 'same' }),
    });
    const error = await slackError(
      web.views.open({
        trigger_id: api.issueTrigger(APPROVER),
        view: modal({ external_id: 'same' }),
      }),
    );
    expect(error.error).toBe('duplicate_external_id');
  });

  it('validates the new view', async () => {
    const opened = await web.views.open({ trigger_id: api.issueTrigger(PARTNER), view: modal() });
    const error = await slackError(
      web.views.update({
        view_id: opened.view?.id as string,
        view: modal({ submit: { type: 'plain_text', text: 'Submit for review now please' } }),
      }),
    );
    expect(error.response_metadata).toMatchObject({
      messages: ['[ERROR] must be less than 25 characters [json-pointer:/view/submit/text]'],
    });
  });
});

describe('views.publish', () => {
  const home = (text: string) => homeView([section(text)]);

  it("publishes a user's home tab and republishes it under the same id", async () => {
    const first = await web.views.publish({ user_id: PARTNER, view: home('No submissions yet') });
    const second = await web.views.publish({
      user_id: PARTNER,
      hash: first.view?.hash as string,
      view: home('PG-0001 submitted'),
    });
    expect(second.view?.id).toBe(first.view?.id);
    expect(api.home(PARTNER)?.blocks).toEqual([section('PG-0001 submitted')]);
    expect(api.home(APPROVER)).toBeUndefined();
  });

  it('answers hash_conflict for a stale hash, user_not_found, and invalid_arguments for a modal', async () => {
    const first = await web.views.publish({ user_id: PARTNER, view: home('a') });
    await web.views.publish({ user_id: PARTNER, view: home('b') });
    expect(
      (
        await slackError(
          web.views.publish({
            user_id: PARTNER,
            hash: first.view?.hash as string,
            view: home('c'),
          }),
        )
      ).error,
    ).toBe('hash_conflict');
    expect(
      (await slackError(web.views.publish({ user_id: 'UNOBODY001', view: home('x') }))).error,
    ).toBe('user_not_found');
    expect((await slackError(web.views.publish({ user_id: PARTNER, view: modal() }))).error).toBe(
      'invalid_arguments',
    );
  });

  it('refuses more than 100 blocks', async () => {
    const view = homeView(Array.from({ length: 101 }, () => ({ type: 'divider' })));
    const error = await slackError(web.views.publish({ user_id: PARTNER, view }));
    expect(error.response_metadata).toMatchObject({
      messages: ['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]'],
    });
  });
});

describe('closing views (what the page does on submit / close)', () => {
  it('pops the top view, or clears the stack', async () => {
    await web.views.open({ trigger_id: api.issueTrigger(PARTNER), view: modal() });
    await web.views.push({
      trigger_id: api.issueTrigger(PARTNER),
      view: modal({ callback_id: 'two' }),
    });
    api.workspace.closeView(PARTNER);
    expect(api.openViews(PARTNER).map((v) => v.callback_id)).toEqual(['submit_model']);
    await web.views.push({
      trigger_id: api.issueTrigger(PARTNER),
      view: modal({ callback_id: 'two' }),
    });
    api.workspace.closeView(PARTNER, { all: true });
    expect(api.openViews(PARTNER)).toEqual([]);
  });
});
