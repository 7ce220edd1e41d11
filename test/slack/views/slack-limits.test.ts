// Every builder's output through the Slack stand-in's Block Kit validator (Slack's
// documented limits), including hostile and oversized partner input.
import { describe, expect, it } from 'vitest';
import { STATUSES, type Status } from '../../../src/domain/status.ts';
import type { Submission } from '../../../src/domain/submission.ts';
import { validateMessageBlocks, validateView } from '../../../src/local/slack-api/blocks.ts';
import { approveModal } from '../../../src/slack/views/approve-modal.ts';
import { homeView } from '../../../src/slack/views/home.ts';
import {
  decisionMessage,
  receivedMessage,
  threadReply,
} from '../../../src/slack/views/messages.ts';
import { reasonModal } from '../../../src/slack/views/reason-modal.ts';
import { reviewMessage } from '../../../src/slack/views/review-message.ts';
import { helpBlocks, listBlocks, statusBlocks } from '../../../src/slack/views/status-text.ts';
import { submitModal } from '../../../src/slack/views/submit-modal.ts';
import { APPROVER, AT, submission } from './fixtures.ts';

/** A submission at the spec's limits, full of characters Slack gives meaning to. */
function hostile(status: Status = 'submitted', n = 1): Submission {
  return submission({
    id: `PG-${String(n).padStart(4, '0')}`,
    status,
    revision: 3,
    reason: '<!channel> & '.repeat(160).slice(0, 2000),
    approval: {
      project: 'p'.repeat(30),
      versionLabel: 'v'.repeat(20),
      promote: false,
      by: { userId: APPROVER },
      at: AT,
    },
    spec: {
      image: `eu.gcr.io/${'a'.repeat(200)}/${'b'.repeat(200)}:${'c'.repeat(100)}`,
      service: 's'.repeat(63),
      PADDING: 256,
      PREDICTOR_CLASS: 'C'.repeat(200),
      PREDICTOR_PACKAGE: 'p'.repeat(200),
      resources: { cpu: 80, memory_gb: 519.6, disk_size_gb: 10240 },
      describe: {
        title: '<'.repeat(100),
        description: '<&>\n'.repeat(500),
        organization: '&'.repeat(100),
        email: `${'e'.repeat(240)}@example.com`,
      },
    },
    warnings: Array.from({ length: 20 }, (_, i) => ({
      path: `path.${i}`,
      message: '<!here> '.repeat(60),
    })),
  });
}

const sample = [submission(), hostile()];

describe('views and messages pass the Slack stand-in’s Block Kit validation', () => {
  it('modals', () => {
    for (const s of sample) {
      const spec = s.revisions[0]?.spec;
      expect(validateView(submitModal({ metadata: { channel: 'C1' } }))).toEqual([]);
      expect(
        validateView(
          submitModal({ initial: spec, metadata: { id: s.id, revision: 3, channel: 'C1' } }),
        ),
      ).toEqual([]);
      expect(
        validateView(
          approveModal({
            submission: s,
            targetProjects: Array.from({ length: 150 }, (_, i) => `project-${i}`),
            metadata: { id: s.id },
          }),
        ),
      ).toEqual([]);
      for (const action of ['reject', 'request_changes'] as const) {
        expect(
          validateView(
            reasonModal({
              submission: s,
              action,
              metadata: { id: s.id, channel: 'C1', ts: '1.2' },
            }),
          ),
        ).toEqual([]);
      }
    }
  });

  it('review messages in every status', () => {
    for (const status of STATUSES) {
      for (const s of [submission({ status }), hostile(status)]) {
        expect(validateMessageBlocks(reviewMessage(s).blocks), status).toEqual([]);
        expect(
          validateMessageBlocks(
            reviewMessage(s, {
              decision: {
                action: 'reject',
                actor: { userId: APPROVER },
                at: AT,
                reason: s.reason ?? 'x',
              },
            }).blocks,
          ),
        ).toEqual([]);
      }
    }
  });

  it('partner messages, thread replies, status, lists and help', () => {
    for (const s of sample) {
      expect(
        validateMessageBlocks(receivedMessage(s, 'https://acme.slack.com/archives/C1/p1').blocks),
      ).toEqual([]);
      for (const action of ['approve', 'reject', 'request_changes', 'cancel'] as const) {
        expect(
          validateMessageBlocks(
            decisionMessage(s, { action, actor: { userId: APPROVER }, reason: s.reason ?? 'x' })
              .blocks,
          ),
        ).toEqual([]);
        expect(
          threadReply(s, { action, actor: { userId: APPROVER }, reason: s.reason ?? 'x' }).text
            .length,
        ).toBeLessThan(40000);
      }
      for (const status of STATUSES) {
        expect(
          validateMessageBlocks(
            statusBlocks({ ...s, status }, { permalink: 'https://x.slack.com/p1' }).blocks,
          ),
        ).toEqual([]);
      }
    }
    const lots = STATUSES.flatMap((status) =>
      Array.from({ length: 60 }, (_, i) => hostile(status, i)),
    );
    expect(validateMessageBlocks(listBlocks(lots, { all: true }).blocks)).toEqual([]);
    expect(validateMessageBlocks(listBlocks(lots, { all: false }).blocks)).toEqual([]);
    expect(validateMessageBlocks(listBlocks([], { all: false }).blocks)).toEqual([]);
    expect(validateMessageBlocks(helpBlocks({ approver: true }).blocks)).toEqual([]);
  });

  it('the Home tab, empty and overfull', () => {
    const lots = STATUSES.flatMap((status) =>
      Array.from({ length: 60 }, (_, i) => hostile(status, i)),
    );
    expect(validateView(homeView({ mine: [] }))).toEqual([]);
    expect(validateView(homeView({ mine: [], queue: [] }))).toEqual([]);
    expect(validateView(homeView({ mine: lots, queue: lots }))).toEqual([]);
    expect(validateView(homeView({ mine: lots }))).toEqual([]);
  });
});
