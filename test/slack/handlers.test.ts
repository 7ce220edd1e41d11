// The handlers one by one, called as Bolt calls them, with the use cases over in-memory
// ports and the Web API client talking to the Slack stand-in.
import type { BlockAction } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { createUseCases } from '../../src/app/index.ts';
import { InFlight } from '../../src/lib/in-flight.ts';
import { WorkQueue } from '../../src/lib/work-queue.ts';
import type { SlackApiStandIn } from '../../src/local/slack-api/server.ts';
import { createLogger } from '../../src/log.ts';
import { StoreError, type SubmissionStore } from '../../src/ports/store.ts';
import { SlackMessages } from '../../src/slack/announce.ts';
import { Approvers } from '../../src/slack/approvers.ts';
import type { HandlerContext } from '../../src/slack/context.ts';
import { onHomeOpened } from '../../src/slack/home/handlers.ts';
import { onReviewButton } from '../../src/slack/review/handlers.ts';
import { onResubmitButton } from '../../src/slack/submit/handlers.ts';
import { PARTNER, ports, submitted } from '../app/fixtures.ts';
import { MemoryStore } from '../helpers/memory-store.ts';
import { APPROVER, REVIEW_CHANNEL, standIn } from '../local/slack-api/fixtures.ts';

/** A store whose database does not answer. */
const DOWN = new Proxy({} as SubmissionStore, {
  get: () => async () => {
    throw new StoreError('unavailable', 'Firestore did not answer');
  },
});

let api: SlackApiStandIn | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function handlers(store: SubmissionStore = new MemoryStore()) {
  const started = await standIn();
  api = started.api;
  const logs: string[] = [];
  const logger = createLogger('debug', {
    write: (line: string) => {
      logs.push(line);
    },
  });
  const { pipeline, registry, deps } = ports();
  const client = started.web;
  const useCases = createUseCases({
    store,
    pipeline,
    services: deps.services,
    ownership: deps.ownership,
    notifier: new SlackMessages({ client, reviewChannel: REVIEW_CHANNEL, logger }),
    registry,
    approvers: new Approvers(client, [APPROVER]),
    logger,
  });
  const ctx: HandlerContext = {
    useCases,
    client,
    logger,
    inFlight: new InFlight(),
    followUps: new WorkQueue(4),
    targetProjects: ['pg-prod-1'],
  };
  return { api: started.api, ctx, logs };
}

/** A button click as Bolt hands it over, acknowledged into `acks`. */
function click(standIn: SlackApiStandIn, userId: string, value: string, acks: string[]) {
  const body = {
    type: 'block_actions',
    user: { id: userId, name: userId.toLowerCase() },
    trigger_id: standIn.issueTrigger(userId),
    channel: { id: REVIEW_CHANNEL },
  } as unknown as BlockAction;
  const action = { type: 'button', action_id: 'x', block_id: 'actions', value, action_ts: '1' };
  return {
    body,
    action: action as BlockAction['actions'][number],
    ack: async () => {
      acks.push(userId);
    },
  };
}

describe('review buttons', () => {
  // A click opens its modal at once (the trigger lives 3 s) and says there why not, if not.
  it('open the approve modal for an approver and refuse a partner in the modal', async () => {
    const store = new MemoryStore();
    const { id } = await submitted(store);
    const { api, ctx } = await handlers(store);
    const acks: string[] = [];
    await onReviewButton(ctx, 'approve', click(api, APPROVER, id, acks));
    await ctx.inFlight.drain(); // the modal is a follow-up: the handler returns first
    expect(api.openViews(APPROVER).map((v) => v.callback_id)).toEqual(['approve']);
    await onReviewButton(ctx, 'approve', click(api, PARTNER.userId, id, acks));
    await ctx.inFlight.drain(); // the modal is a follow-up: the handler returns first
    expect(api.openViews(PARTNER.userId).map(modalText)).toEqual([
      expect.stringMatching(
        /You cannot approve PG-0001\.[^"]*Only Playground approvers can approve/,
      ),
    ]);
    expect(api.ephemerals(PARTNER.userId)).toEqual([]);
    expect(acks).toEqual([APPROVER, PARTNER.userId]);
  });

  it('tell the clicker when the database is down, like every other answer', async () => {
    const { api, ctx, logs } = await handlers(DOWN);
    await onReviewButton(ctx, 'reject', click(api, APPROVER, 'PG-0001', []));
    await ctx.inFlight.drain(); // the modal is a follow-up: the handler returns first
    expect(api.openViews(APPROVER).map(modalText)).toEqual([
      expect.stringContaining('Could not save: the database did not answer'),
    ]);
    expect(logs.join()).toContain('store unavailable');
  });
});

describe('Edit and resubmit', () => {
  it('tells the partner when the database is down instead of doing nothing', async () => {
    const { api, ctx } = await handlers(DOWN);
    await onResubmitButton(ctx, click(api, PARTNER.userId, 'PG-0001', []));
    await ctx.inFlight.drain(); // the modal is a follow-up: the handler returns first
    expect(api.openViews(PARTNER.userId).map(modalText)).toEqual([
      expect.stringContaining('the database did not answer'),
    ]);
  });
});

/** The text of a modal's blocks, as the person reads it. */
function modalText(view: { blocks: unknown[] }): string {
  return JSON.stringify(view.blocks);
}

function homeOpened(user: string) {
  return {
    event: {
      type: 'app_home_opened' as const,
      user,
      channel: 'D1',
      tab: 'home' as const,
      event_ts: '1',
    },
  };
}

describe('the Home tab', () => {
  it('shows an approver the review queue', async () => {
    const store = new MemoryStore();
    const { id } = await submitted(store);
    const { api, ctx } = await handlers(store);
    await onHomeOpened(ctx, homeOpened(APPROVER));
    expect(JSON.stringify(api.home(APPROVER)?.blocks)).toContain(`Review queue (1)`);
    expect(JSON.stringify(api.home(APPROVER)?.blocks)).toContain(id);
  });

  it('keeps what it showed when the database is down, and says why in the log', async () => {
    const { api, ctx, logs } = await handlers(DOWN);
    await onHomeOpened(ctx, homeOpened(APPROVER));
    expect(api.home(APPROVER)).toBeUndefined();
    expect(logs.join()).toContain('store unavailable');
  });
});
