// The watchdog's words in Slack: the stall note (approvers, Cancel) and the approvers
// called on a failure past a deadline, checked against Slack's Block Kit limits.
import { describe, expect, it } from 'vitest';
import { validateMessageBlocks } from '../../../src/local/slack-api/blocks.ts';
import { ACTION_ID } from '../../../src/slack/views/ids.ts';
import { milestoneMessage } from '../../../src/slack/views/progress.ts';
import { stalledMessage } from '../../../src/slack/views/watchdog.ts';
import { sampleRun } from '../../helpers/sample-run.ts';
import { submission } from './fixtures.ts';

const APPROVERS = ['UAPPROVER1', 'SAPPROVERS'];
const sub = submission({ status: 'deploying' });

function words(message: { text: string; blocks?: unknown[] }): string {
  return `${message.text}\n${JSON.stringify(message.blocks ?? [])}`;
}

describe('stalledMessage', () => {
  it("says where and for how long, the step's deadline, calls the approvers, offers Cancel", () => {
    const message = stalledMessage(
      sub,
      {
        kind: 'stalled',
        attempt: 2,
        step: 'deploy',
        quietMs: 47 * 60_000,
        deadlineMs: 30 * 60_000,
      },
      APPROVERS,
    );
    expect(message.text).toBe(
      'PG-0042 has made no progress at Deploy to App Engine for 47m (its deadline is 30m)',
    );
    const all = words(message);
    expect(all).toContain(
      '*PG-0042* has made no progress at *Deploy to App Engine* for 47m (its deadline is 30m): the bot may have lost track of it (attempt 2).',
    );
    expect(all).toContain('<@UAPPROVER1>, <!subteam^SAPPROVERS>: look at it.');
    expect(all).toContain(`"action_id":"${ACTION_ID.cancel}"`);
    expect(validateMessageBlocks(message.blocks ?? [])).toEqual([]);
  });

  it('names no deadline for a step without one', () => {
    const message = stalledMessage(
      sub,
      { kind: 'stalled', attempt: 1, step: 'render', quietMs: 20 * 60_000 },
      [],
    );
    expect(message.text).toBe('PG-0042 has made no progress at Render the bundle for 20m');
    expect(words(message)).not.toContain('its deadline');
    expect(words(message)).toContain('Look at it. Cancel stops it and removes nothing');
  });
});

describe('the failure reply past a deadline', () => {
  const late = sampleRun({
    failure: { step: 'deploy', kind: 'deadline', detail: 'did not finish within 30m' },
  });

  it('calls the approvers; another failure does not', () => {
    const failed = submission({ status: 'failed' });
    const called = milestoneMessage(failed, late, 'failed', { approvers: APPROVERS });
    expect(words(called)).toContain(
      '<@UAPPROVER1>, <!subteam^SAPPROVERS>: a step ran out of time.',
    );
    expect(validateMessageBlocks(called.blocks ?? [])).toEqual([]);
    const plain = sampleRun({ failure: { step: 'deploy', detail: 'readiness check failed' } });
    expect(
      words(milestoneMessage(failed, plain, 'failed', { approvers: APPROVERS })),
    ).not.toContain('ran out of time');
  });
});
