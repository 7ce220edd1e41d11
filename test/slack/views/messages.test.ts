import type { ActionsBlock, Button } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { ACTION_ID } from '../../../src/slack/views/ids.ts';
import {
  decisionMessage,
  notAllowedMessage,
  notFoundMessage,
  receivedMessage,
  refusalMessage,
  revisionChanges,
  threadReply,
  unavailableMessage,
} from '../../../src/slack/views/messages.ts';
import { escapeMrkdwn, mention, slackDate } from '../../../src/slack/views/mrkdwn.ts';
import { sampleSpec } from '../../helpers/sample-spec.ts';
import { APPROVER, AT, PARTNER, submission } from './fixtures.ts';

const approver = { userId: APPROVER };

describe('receivedMessage', () => {
  it('gives the id, revision, what happens next and the thread link', () => {
    const { text, blocks } = receivedMessage(
      submission(),
      'https://acme.slack.com/archives/C1/p123?a=1&b=2',
    );
    expect(text).toContain('PG-0042');
    const all = JSON.stringify(blocks);
    expect(all).toContain('*PG-0042* (`my-service`) is in. The Playground team will review it');
    expect(all).toContain('<https://acme.slack.com/archives/C1/p123?a=1&amp;b=2|review thread>');
    expect(all).toContain('/playground status PG-0042');
  });

  it('names the revision of a resubmission and lists warnings', () => {
    const { blocks } = receivedMessage(
      submission({
        revision: 2,
        warnings: [{ path: 'image', message: 'tag "latest" can change' }],
      }),
    );
    const all = JSON.stringify(blocks);
    expect(all).toContain('Revision 2 of *PG-0042*');
    expect(all).toContain(':warning: *image*: tag \\"latest\\" can change');
    expect(all).not.toContain('review thread');
  });
});

describe('decisionMessage', () => {
  it('tells the partner about an approval', () => {
    const { text, blocks } = decisionMessage(submission({ status: 'approved' }), {
      action: 'approve',
      actor: approver,
    });
    expect(text).toContain('approved');
    expect(JSON.stringify(blocks)).toContain(`approved by <@${APPROVER}>`);
  });

  it('gives the reason and an Edit and resubmit button when changes are requested', () => {
    const { blocks = [] } = decisionMessage(submission({ status: 'changes_requested' }), {
      action: 'request_changes',
      actor: approver,
      reason: 'Use PADDING 32 <!channel>',
    });
    const all = JSON.stringify(blocks);
    expect(all).toContain('>Use PADDING 32 &lt;!channel&gt;');
    expect(all).not.toContain('<!channel>');
    const button = (blocks.find((b) => b.type === 'actions') as ActionsBlock).elements[0] as Button;
    expect(button).toMatchObject({
      action_id: ACTION_ID.resubmit,
      value: 'PG-0042',
      text: { text: 'Edit and resubmit' },
    });
    expect(all).toContain('revision 2');
  });

  it('gives the reason of a rejection and no button', () => {
    const { blocks = [] } = decisionMessage(submission({ status: 'rejected' }), {
      action: 'reject',
      actor: approver,
      reason: 'Not a fit',
    });
    expect(JSON.stringify(blocks)).toContain('>Not a fit');
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('does not name the partner when they cancelled themselves', () => {
    const self = decisionMessage(submission({ status: 'cancelled' }), {
      action: 'cancel',
      actor: { userId: PARTNER },
    });
    expect(JSON.stringify(self.blocks)).not.toContain(`<@${PARTNER}>`);
    const other = decisionMessage(submission({ status: 'cancelled' }), {
      action: 'cancel',
      actor: approver,
    });
    expect(JSON.stringify(other.blocks)).toContain(`by <@${APPROVER}>`);
  });

  it('offers Edit and resubmit after a cancel: revision n+1, reviewed again', () => {
    const { blocks = [] } = decisionMessage(submission({ status: 'cancelled' }), {
      action: 'cancel',
      actor: approver,
    });
    const button = (blocks.find((b) => b.type === 'actions') as ActionsBlock).elements[0] as Button;
    expect(button).toMatchObject({ action_id: ACTION_ID.resubmit, value: 'PG-0042' });
    expect(JSON.stringify(blocks)).toContain('Resubmitting creates revision 2');
  });
});

describe('threadReply', () => {
  it('records an approval with project, version and traffic', () => {
    const approved = submission({
      status: 'approved',
      approval: { project: 'pg-prod', promote: true, by: approver, at: AT },
    });
    expect(threadReply(approved, { action: 'approve', actor: approver }).text).toBe(
      `:white_check_mark: Approved by <@${APPROVER}> — project \`pg-prod\`, version \`pg-0042-r1\`, traffic promoted\n:label: Building \`eu.gcr.io/theplayground_repo/my_service:1.0.3\`: no digest was recorded for this revision.`,
    );
  });

  it('records rejections and requests for changes with the reason', () => {
    expect(
      threadReply(submission(), { action: 'reject', actor: approver, reason: 'No <b>' }).text,
    ).toBe(`:x: Rejected by <@${APPROVER}>\n>No &lt;b&gt;`);
    expect(
      threadReply(submission(), { action: 'request_changes', actor: approver, reason: 'Pin it' })
        .text,
    ).toBe(`:pencil2: Changes requested by <@${APPROVER}>\n>Pin it`);
  });

  it('records a resubmission with what changed', () => {
    const base = submission({ revision: 2 });
    const [first, second] = base.revisions;
    if (!first || !second) throw new Error('fixture');
    second.spec = sampleSpec({ PADDING: 32, describe: { title: 'Roofs' } });
    const reply = threadReply(base, { action: 'resubmit', actor: { userId: PARTNER } }).text;
    expect(reply).toContain(`:repeat: Revision 2 submitted by <@${PARTNER}>`);
    expect(reply).toContain('• `PADDING`: 24 → 32');
    expect(reply).toContain('• `describe.title`: _(none)_ → Roofs');
    expect(revisionChanges(submission())).toEqual([]);
  });

  it('says a resubmission follows a failure or a cancel, and needs a review again', () => {
    const base = submission({ revision: 2 });
    const actor = { userId: PARTNER };
    expect(threadReply(base, { action: 'resubmit', actor, after: 'failed' }).text).toContain(
      `:repeat: Revision 2 submitted by <@${PARTNER}> after the failure; it needs a review again`,
    );
    expect(threadReply(base, { action: 'resubmit', actor, after: 'cancelled' }).text).toContain(
      'after the cancel; it needs a review again',
    );
  });
});

describe('short answers', () => {
  it('refuses non-approvers and says nothing changed', () => {
    expect(refusalMessage({ kind: 'refused', action: 'approve' }).text).toContain(
      'Only Playground approvers can approve submissions. Nothing was changed.',
    );
    expect(refusalMessage({ kind: 'refused', action: 'reject' }).text).toContain(
      'Nothing was changed.',
    );
    expect(refusalMessage({ kind: 'refused', action: 'request_changes' }).text).toContain(
      'Nothing was changed.',
    );
    expect(refusalMessage({ kind: 'refused', action: 'list_all' }).text).toContain(
      '/playground list',
    );
  });

  it('says the database did not answer and nothing was lost', () => {
    expect(unavailableMessage().text).toContain(
      'Could not save: the database did not answer. Nothing was lost; please try again in a minute.',
    );
  });

  it('explains a click that no longer applies', () => {
    expect(notAllowedMessage(submission({ status: 'approved' }), 'reject').text).toBe(
      "PG-0042 is approved, so it can't be rejected now. Nothing was changed.",
    );
  });

  it('answers an unknown id without saying whose it is, and escapes it', () => {
    expect(notFoundMessage('PG-0099').text).toContain('No submission `PG-0099` of yours');
    expect(notFoundMessage('<!here>').text).toContain('&lt;!here&gt;');
  });
});

describe('mrkdwn', () => {
  it('escapes the characters Slack acts on', () => {
    expect(escapeMrkdwn('<!channel> & <@U1> <https://x|y>')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;https://x|y&gt;',
    );
  });

  it('mentions only real user ids', () => {
    expect(mention('U0123ABC')).toBe('<@U0123ABC>');
    expect(mention('<!channel>')).toBe('&lt;!channel&gt;');
  });

  it('formats dates for each reader with a UTC fallback', () => {
    expect(slackDate(AT)).toBe(
      '<!date^1741097100^{date_short_pretty} at {time}|2025-03-04 14:05 UTC>',
    );
    expect(slackDate(new Date(Number.NaN))).toBe('an unknown time');
  });
});
