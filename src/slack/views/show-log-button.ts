// The *Show log* button on a failure (the failed reply in the thread, the partner's DM),
// and its value: which submission, which attempt.
import type { Button } from '@slack/types';
import type { PipelineRun } from '../../domain/pipeline-run.ts';
import type { Submission } from '../../domain/submission.ts';
import { ACTION_ID } from './ids.ts';
import { button } from './kit.ts';

/** The button's value: which submission, which attempt (`PG-0042:2`). */
function showLogValue(id: string, attempt: number): string {
  return `${id}:${attempt}`;
}

export function parseShowLogValue(value: string | undefined): { id: string; attempt: number } {
  const match = /^([^:]*):(\d{1,6})$/.exec(value ?? '');
  return { id: match?.[1] ?? value ?? '', attempt: Number(match?.[2] ?? 0) };
}

/** *Show log* on a failure: the partner and approvers get the failed step's last lines. */
export function showLogButton(submission: Submission, run: PipelineRun): Button {
  return button('Show log', ACTION_ID.show_log, {
    value: showLogValue(submission.id, run.attempt),
  });
}
