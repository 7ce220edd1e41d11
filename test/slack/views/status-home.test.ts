import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { STATUSES, type Status } from '../../../src/domain/status.ts';
import { homeView } from '../../../src/slack/views/home.ts';
import { ACTION_ID } from '../../../src/slack/views/ids.ts';
import { helpBlocks, listBlocks, statusBlocks } from '../../../src/slack/views/status-text.ts';
import { sampleRun } from '../../helpers/sample-run.ts';
import { APPROVER, AT, PARTNER, submission } from './fixtures.ts';

function buttons(blocks: KnownBlock[]): Button[] {
  const out: Button[] = [];
  for (const block of blocks) {
    if (block.type === 'actions') out.push(...((block as ActionsBlock).elements as Button[]));
    if (block.type === 'section' && (block as SectionBlock).accessory?.type === 'button') {
      out.push((block as SectionBlock).accessory as Button);
    }
  }
  return out;
}

function many(count: number, status: Status = 'submitted') {
  return Array.from({ length: count }, (_, i) =>
    submission({
      id: `PG-${String(i + 1).padStart(4, '0')}`,
      status,
      updatedAt: new Date(AT.getTime() + i * 60_000),
    }),
  );
}

describe('statusBlocks', () => {
  it('shows status, revision, last event, thread link and a cancel button', () => {
    const { text, blocks } = statusBlocks(submission(), {
      lastEvent: { at: AT, actor: { userId: PARTNER }, action: 'submit', to: 'submitted' },
      permalink: 'https://acme.slack.com/archives/C1/p1',
    });
    expect(text).toBe('PG-0042 is waiting for review (revision 1)');
    const all = JSON.stringify(blocks);
    expect(all).toContain(`Last: Submitted by <@${PARTNER}> on <!date^1741097100`);
    expect(all).toContain('<https://acme.slack.com/archives/C1/p1|Review thread>');
    expect(buttons(blocks).map((b) => [b.action_id, b.value])).toEqual([
      [ACTION_ID.cancel, 'PG-0042'],
    ]);
    expect(buttons(blocks)[0]?.confirm).toBeDefined();
  });

  it('says whom an approved submission waits for while another pipeline has its service', () => {
    const pipeline = sampleRun({ turn: { state: 'waiting', for: 'PG-0041', since: AT } });
    const waiting = statusBlocks(submission({ status: 'approved', pipeline }));
    expect(JSON.stringify(waiting.blocks)).toContain(
      'Waiting for *PG-0041* (deploying `my-service` in `pg-prod`) to finish',
    );
    const cancelled = statusBlocks(submission({ status: 'cancelled', pipeline }));
    expect(JSON.stringify(cancelled.blocks)).not.toContain('Waiting for');
  });

  it('offers resubmit with the reason when changes were requested, and no buttons once final', () => {
    const changes = statusBlocks(submission({ status: 'changes_requested', reason: 'Pin <it>' }));
    expect(JSON.stringify(changes.blocks)).toContain('>Pin &lt;it&gt;');
    expect(buttons(changes.blocks ?? []).map((b) => b.action_id)).toEqual([
      ACTION_ID.resubmit,
      ACTION_ID.cancel,
    ]);
    expect(buttons(statusBlocks(submission({ status: 'live' })).blocks ?? [])).toEqual([]);
  });

  it('does not show refused clicks as the last event', () => {
    const { blocks } = statusBlocks(submission(), {
      lastEvent: { at: AT, actor: { userId: 'U0STRANGER' }, action: 'refused' },
    });
    expect(JSON.stringify(blocks)).not.toContain('U0STRANGER');
  });
});

describe('listBlocks', () => {
  it('lists the partner’s submissions, newest change first', () => {
    const { blocks = [] } = listBlocks(many(3), { all: false });
    const all = JSON.stringify(blocks);
    expect(all.indexOf('PG-0003')).toBeLessThan(all.indexOf('PG-0001'));
    expect(all).not.toContain(`<@${PARTNER}>`);
  });

  it('groups every submission by status for approvers, naming partners', () => {
    const list = [...many(2, 'submitted'), ...many(1, 'live'), ...many(1, 'failed')];
    const all = JSON.stringify(listBlocks(list, { all: true }).blocks);
    expect(all).toContain('*Waiting for review* (2)');
    expect(all).toContain('*Live* (1)');
    expect(all.indexOf('Waiting for review')).toBeLessThan(all.indexOf('*Live*'));
    expect(all).toContain(`<@${PARTNER}>`);
  });

  it('answers an empty list', () => {
    expect(listBlocks([], { all: false }).text).toContain('/playground submit');
  });

  it('stays within 50 blocks and 3000 characters a block for long lists', () => {
    const list = STATUSES.flatMap((s) => many(300, s));
    for (const all of [true, false]) {
      const { blocks = [] } = listBlocks(list, { all });
      expect(blocks.length).toBeLessThanOrEqual(50);
      for (const b of blocks)
        if (b.type === 'section')
          expect([...((b as SectionBlock).text?.text ?? '')].length).toBeLessThanOrEqual(3000);
      expect(JSON.stringify(blocks)).toMatch(/…and \d+ more/);
    }
  });
});

describe('helpBlocks', () => {
  it('explains every subcommand; list all only for approvers', () => {
    const partner = JSON.stringify(helpBlocks({ approver: false }).blocks);
    for (const command of [
      '/playground submit',
      '/playground status PG-0042',
      '/playground list`',
      '/playground cancel PG-0042',
      '/playground help',
    ]) {
      expect(partner).toContain(command);
    }
    expect(partner).not.toContain('list all');
    expect(JSON.stringify(helpBlocks({ approver: true }).blocks)).toContain('/playground list all');
  });
});

describe('homeView', () => {
  it('gives partners a Deploy a model button and their submissions', () => {
    const view = homeView({
      mine: [
        submission(),
        submission({ id: 'PG-0043', status: 'changes_requested' }),
        submission({ id: 'PG-0044', status: 'failed' }),
        submission({ id: 'PG-0045', status: 'cancelled' }),
        submission({ id: 'PG-0046', status: 'rejected' }),
      ],
    });
    expect(view.type).toBe('home');
    const all = buttons(view.blocks as KnownBlock[]);
    expect(all[0]).toMatchObject({ action_id: ACTION_ID.open_submit, style: 'primary' });
    expect(all[0]?.value).toBeUndefined();
    expect(all.slice(1).map((b) => [b.action_id, b.value])).toEqual([
      [ACTION_ID.cancel, 'PG-0042'],
      [ACTION_ID.resubmit, 'PG-0043'],
      [ACTION_ID.resubmit, 'PG-0044'],
      [ACTION_ID.resubmit, 'PG-0045'],
    ]);
    expect(JSON.stringify(view.blocks)).not.toContain('Review queue');
  });

  it('gives approvers the review queue, with review buttons on submissions waiting for review', () => {
    const queue = [
      submission({ id: 'PG-0050', status: 'failed', partner: { userId: 'U0OTHER1' } }),
      submission({ id: 'PG-0051', status: 'building' }),
      submission({ id: 'PG-0052', status: 'submitted' }),
    ];
    const view = homeView({ mine: [], queue });
    const all = JSON.stringify(view.blocks);
    expect(all).toContain('Review queue (3)');
    expect(all.indexOf('PG-0052')).toBeLessThan(all.indexOf('PG-0051'));
    expect(all.indexOf('PG-0051')).toBeLessThan(all.indexOf('PG-0050'));
    const review = buttons(view.blocks as KnownBlock[]).filter(
      (b) => b.action_id !== ACTION_ID.open_submit,
    );
    expect(review.map((b) => [b.action_id, b.value, b.style])).toEqual([
      [ACTION_ID.approve, 'PG-0052', 'primary'],
      [ACTION_ID.request_changes, 'PG-0052', undefined],
      [ACTION_ID.reject, 'PG-0052', 'danger'],
    ]);
    void APPROVER;
  });

  it('stays within 100 blocks and says how many more there are', () => {
    const view = homeView({ mine: many(500, 'live'), queue: many(500) });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const all = JSON.stringify(view.blocks);
    expect(all).toContain('…and 490 more');
    expect(all).toMatch(/…and \d+ more: `\/playground list all`/);
    expect(homeView({ mine: many(500) }).blocks.length).toBeLessThanOrEqual(100);
  });
});
