import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { freshSteps } from '../../../src/domain/pipeline-run.ts';
import type { OperationRun } from '../../../src/domain/service-operation.ts';
import { validateMessageBlocks, validateView } from '../../../src/local/slack-api/blocks.ts';
import { ACTION_ID } from '../../../src/slack/views/ids.ts';
import {
  operationEndMessage,
  operationModal,
  operationStatusMessage,
  parseOperationModal,
} from '../../../src/slack/views/operation.ts';
import { milestoneMessage } from '../../../src/slack/views/progress.ts';
import { sampleRun } from '../../helpers/sample-run.ts';
import { APPROVER, AT, PARTNER, submission } from './fixtures.ts';

function buttons(blocks: KnownBlock[] | undefined): string[] {
  return (blocks ?? []).flatMap((b) =>
    b.type === 'actions'
      ? b.elements.map((e) => ('action_id' in e ? String(e.action_id) : ''))
      : [],
  );
}

const OPERATION: OperationRun = {
  id: 'op1',
  kind: 'rollback',
  project: 'pg-prod',
  service: 'my-service',
  from: { version: 'v3', submissionId: 'PG-0003', revision: 1 },
  to: { version: 'v2', submissionId: 'PG-0002', revision: 1 },
  by: { userId: APPROVER },
  owner: { userId: PARTNER },
  requestId: 'view:V1',
  phase: 'starting',
  start: true,
  startedAt: AT,
};

describe('the live message', () => {
  const done = freshSteps();
  for (const step of Object.keys(done) as (keyof typeof done)[]) done[step] = { state: 'done' };

  it('offers Roll back, and Promote when the run moved no traffic', () => {
    const promoted = milestoneMessage(submission(), sampleRun({ steps: done }), 'live');
    expect(buttons(promoted.blocks)).toEqual([ACTION_ID.rollback]);
    const skipped = sampleRun({
      promote: false,
      steps: { ...done, promote: { state: 'skipped' } },
    });
    const message = milestoneMessage(submission(), skipped, 'live');
    expect(buttons(message.blocks)).toEqual([ACTION_ID.promote, ACTION_ID.rollback]);
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
  });
});

describe('promote and roll back messages', () => {
  it('the confirm modal names from → to and binds them in its metadata', () => {
    const ask = {
      kind: 'rollback' as const,
      project: 'pg-prod',
      service: 'my-service',
      plan: { kind: 'plan' as const, from: OPERATION.from, to: OPERATION.to, start: true },
      live: 'v3',
      opened: AT,
    };
    const modal = operationModal(ask);
    expect(validateView(modal)).toEqual([]);
    const shown = JSON.stringify(modal.blocks);
    expect(shown).toContain('from `v3` (PG-0003 r1) to `v2` (PG-0002 r1)');
    expect(shown).toContain('`v2` is stopped: it is started first');
    expect(parseOperationModal(modal.private_metadata)).toEqual(ask);
    expect(parseOperationModal('{"kind":"rollback"}')).toBeUndefined();
  });

  it('the status message shows where it is: starting, moving traffic, done', () => {
    const starting = JSON.stringify(operationStatusMessage(OPERATION).blocks);
    expect(starting).toContain(':hourglass_flowing_sand: Start `v2`');
    expect(starting).toContain(':white_large_square: Move all traffic');
    expect(starting).toContain(`asked by <@${APPROVER}> · owner <@${PARTNER}>`);
    const moving = JSON.stringify(
      operationStatusMessage({ ...OPERATION, phase: 'promoting' }).blocks,
    );
    expect(moving).toContain(':white_check_mark: Start `v2`');
    expect(moving).toContain(':hourglass_flowing_sand: Move all traffic');
    const finished = operationStatusMessage({ ...OPERATION, phase: 'done', promoteOperation: 'o' });
    expect(JSON.stringify(finished.blocks)).toContain(':white_check_mark: Move all traffic');
    expect(validateMessageBlocks(finished.blocks)).toEqual([]);
  });

  it('the end says what serves now and where, or why it failed', () => {
    const url = 'https://v2-dot-my-service-dot-pg-prod.ew.r.appspot.com';
    const done = operationEndMessage({ ...OPERATION, phase: 'done', versionUrl: url });
    expect(JSON.stringify(done.blocks)).toContain(
      '`v2` (PG-0002 r1) now serves all traffic of `my-service` in `pg-prod`',
    );
    expect(done.text).toContain(url);
    const failed = operationEndMessage({ ...OPERATION, phase: 'failed', failure: 'boom' });
    const said = JSON.stringify(failed.blocks);
    expect(said).toContain('>boom');
    expect(said).toContain('`v3` (PG-0003 r1) keeps serving');
  });
});
