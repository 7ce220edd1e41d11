import type {
  ActionsBlock,
  Button,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  SectionBlock,
} from '@slack/types';
import { describe, expect, it } from 'vitest';
import { ACTION_ID } from '../../../src/slack/views/ids.ts';
import { reviewMessage } from '../../../src/slack/views/review-message.ts';
import { APPROVER, AT, PARTNER, submission } from './fixtures.ts';

const of = <T extends KnownBlock>(blocks: KnownBlock[], type: T['type']) =>
  blocks.filter((b) => b.type === type) as T[];

describe('reviewMessage', () => {
  it('summarises the submission with a header and fields', () => {
    const { text, blocks } = reviewMessage(submission());
    expect((blocks[0] as HeaderBlock).text.text).toBe('PG-0042 · my-service');
    const fields = (of<SectionBlock>(blocks, 'section')[0]?.fields ?? []).map((f) => f.text);
    expect(fields).toEqual([
      `*Partner*\n<@${PARTNER}>`,
      '*Status*\nwaiting for review',
      '*Image*\n`eu.gcr.io/theplayground_repo/my_service:1.0.3`\n_digest unknown_',
      '*Service*\n`my-service`',
      '*Tile*\nzoom 16 · padding 24 px · 304 × 304 px images',
      '*Predictor*\n`my_package.my_module.MyPredictor`',
      '*Resources*\n4 CPUs · 3.2 GB memory · 10 GB disk (defaults)',
      '*Gunicorn*\n2 workers · backlog 6 · timeout 60 s (defaults)',
      expect.stringMatching(
        /^\*Revision\*\n1, submitted <!date\^1741097100\^\{date_short_pretty\} at \{time\}\|2025-03-04 14:05 UTC>$/,
      ),
    ]);
    expect(text).toContain('PG-0042');
    expect(text).toBe('PG-0042 · my-service: waiting for review (revision 1)');
  });

  it('has Approve, Request changes and Reject while waiting for review, each carrying the id', () => {
    const { blocks } = reviewMessage(submission());
    const [buttons] = of<ActionsBlock>(blocks, 'actions');
    const elements = (buttons?.elements ?? []) as Button[];
    expect(elements.map((b) => [b.action_id, b.text.text, b.value, b.style])).toEqual([
      [ACTION_ID.approve, 'Approve', 'PG-0042', 'primary'],
      [ACTION_ID.request_changes, 'Request changes', 'PG-0042', undefined],
      [ACTION_ID.reject, 'Reject', 'PG-0042', 'danger'],
    ]);
  });

  it('shows warnings with a warning emoji', () => {
    const { blocks } = reviewMessage(
      submission({
        warnings: [{ path: 'image', message: '"x:latest" is not pinned to a version' }],
      }),
    );
    const contexts = of<ContextBlock>(blocks, 'context').map((c) => JSON.stringify(c));
    expect(
      contexts.some((c) => c.includes(':warning: *image*: \\"x:latest\\" is not pinned')),
    ).toBe(true);
  });

  it('shows the description fields when given, escaped', () => {
    const { blocks } = reviewMessage(
      submission({
        spec: {
          describe: {
            title: '<!channel> Roofs & more',
            organization: 'Acme <@U999>',
            description: 'Line 1\n<https://evil|click>',
          },
        },
      }),
    );
    const all = JSON.stringify(blocks);
    expect(all).toContain('*&lt;!channel&gt; Roofs &amp; more* · Acme &lt;@U999&gt;');
    expect(all).toContain('>Line 1\\n>&lt;https://evil|click&gt;');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U999>');
    expect(all).not.toContain('<https://evil');
  });

  it('replaces the buttons with who approved, when, and where it goes', () => {
    const approved = submission({
      status: 'approved',
      approval: { project: 'pg-prod', promote: true, by: { userId: APPROVER }, at: AT },
    });
    const { blocks } = reviewMessage(approved, {
      decision: { action: 'approve', actor: { userId: APPROVER }, at: AT },
    });
    expect(of(blocks, 'actions')).toEqual([]);
    const last = JSON.stringify(blocks.at(-1));
    expect(last).toContain(
      `:white_check_mark: *Approved* by <@${APPROVER}> on <!date^1741097100^{date_short_pretty} at {time}|2025-03-04 14:05 UTC>`,
    );
    expect(last).toContain('project `pg-prod`, version `pg-0042-r1`, traffic promoted');
    // Same line without the option, from the approval record.
    expect(JSON.stringify(reviewMessage(approved).blocks.at(-1))).toBe(last);
  });

  it('says who rejected or asked for changes, with the reason escaped', () => {
    for (const [action, status, verb] of [
      ['reject', 'rejected', 'Rejected'],
      ['request_changes', 'changes_requested', 'Changes requested'],
    ] as const) {
      const { blocks } = reviewMessage(submission({ status }), {
        decision: { action, actor: { userId: APPROVER }, at: AT, reason: 'Pin the tag <!here>' },
      });
      expect(of(blocks, 'actions')).toEqual([]);
      const last = JSON.stringify(blocks.at(-1));
      expect(last).toContain(`*${verb}* by <@${APPROVER}>`);
      expect(last).toContain('>Pin the tag &lt;!here&gt;');
    }
  });

  it('shows the pipeline status after approval', () => {
    const building = submission({
      status: 'building',
      approval: {
        project: 'pg-prod',
        versionLabel: 'v2',
        promote: false,
        by: { userId: APPROVER },
        at: AT,
      },
    });
    const last = JSON.stringify(reviewMessage(building).blocks.at(-1));
    expect(last).toContain('version `v2`, traffic not promoted');
    expect(last).toContain('Now: *building*');
  });

  it('keeps a huge partner description within Slack limits', () => {
    const { blocks } = reviewMessage(
      submission({
        spec: {
          describe: {
            title: 't'.repeat(100),
            description: '<'.repeat(2000),
            organization: 'o'.repeat(100),
          },
        },
      }),
    );
    for (const block of of<SectionBlock>(blocks, 'section')) {
      if (block.text) expect([...block.text.text].length).toBeLessThanOrEqual(3000);
      for (const f of block.fields ?? []) expect([...f.text].length).toBeLessThanOrEqual(2000);
    }
  });
});
