// The watchdog's sweep: now and then (not on every tick), one indexed query for tracked
// pipelines whose run has not been stored for a while, whoever holds or held their lease.
// One that made no progress for much longer than its step may take (a lost lease, a step
// that throws every time) is told in its thread, approvers mentioned, once per attempt.
// A pipeline a live instance still steps stores progress, or fails at its deadline first.
import { formatDuration } from '../domain/duration.ts';
import { currentStep, isWorking } from '../domain/run-transitions.ts';
import { waitsFor } from '../domain/service-turn.ts';
import {
  type DeadlineTuning,
  shortestStallMs,
  stallLimitMs,
  stepDeadline,
} from '../domain/step-deadlines.ts';
import { Periodic } from '../lib/periodic.ts';
import type { Logger } from '../log.ts';
import type { MessageIntent } from '../ports/notifier.ts';
import { isStoreError, type PipelineStore, type QuietPipeline } from '../ports/store.ts';
import { PIPELINE_ACTOR } from './steps/record.ts';

export interface SweepOptions {
  store: PipelineStore;
  logger: Logger;
  deadlines: DeadlineTuning;
  /** How often to look. */
  everyMs: number;
}

/** Pipelines read per query. */
const SWEEP_PAGE = 100;

export class Sweep {
  readonly #o: SweepOptions;
  readonly #rounds: Periodic;

  constructor(options: SweepOptions) {
    this.#o = options;
    this.#rounds = new Periodic(
      options.everyMs,
      () => this.sweep(),
      (error) => options.logger.warn({ err: error }, 'could not sweep'),
    );
  }

  /** Sweeps every `everyMs`, the first time after one period (leases are re-taken by then). */
  run(): void {
    this.#rounds.run();
  }

  stop(): Promise<void> {
    return this.#rounds.stop();
  }

  /** One sweep; answers the ids told this time. */
  async sweep(now = new Date()): Promise<string[]> {
    const before = new Date(now.getTime() - shortestStallMs(this.#o.deadlines));
    const told: string[] = [];
    let after: QuietPipeline | undefined;
    for (;;) {
      const page = await this.#o.store.quietSince({
        before,
        limit: SWEEP_PAGE,
        ...(after ? { after } : {}),
      });
      for (const quiet of page) if (await this.#tell(quiet, now)) told.push(quiet.submission.id);
      if (page.length < SWEEP_PAGE) return told;
      after = page.at(-1);
    }
  }

  /** Tells the thread when the pipeline is stalled and was not told this attempt. */
  async #tell({ submission, progressAt, lease }: QuietPipeline, now: Date): Promise<boolean> {
    const run = submission.pipeline;
    // Waiting for its service's turn is not a stall: the pipeline ahead has its own deadlines.
    if (!run || !isWorking(submission.status) || waitsFor(run)) return false;
    const quietMs = now.getTime() - progressAt.getTime();
    if (quietMs < stallLimitMs(run, this.#o.deadlines)) return false;
    const deadline = stepDeadline(run, this.#o.deadlines);
    const step = deadline?.step ?? currentStep(run);
    const limit = deadline ? ` (its deadline is ${formatDuration(deadline.limitMs)})` : '';
    const holder = lease
      ? `; lease held by ${lease.owner} until ${lease.until.toISOString()}`
      : '; no lease';
    const intent: MessageIntent = {
      kind: 'stalled',
      attempt: run.attempt,
      step,
      quietMs,
      ...(deadline ? { deadlineMs: deadline.limitMs } : {}),
    };
    try {
      const { applied } = await this.#o.store.recordStall(submission.id, {
        attempt: run.attempt,
        progressAt,
        actor: PIPELINE_ACTOR,
        detail: `no progress at ${step} for ${formatDuration(quietMs)}${limit}${holder}`,
        messages: [intent],
      });
      if (applied) {
        this.#o.logger.warn({ submissionId: submission.id, step, quietMs }, 'pipeline stalled');
      }
      return applied;
    } catch (error) {
      // It moved on between the query and the note: not stalled after all.
      if (isStoreError(error, 'conflict')) return false;
      throw error;
    }
  }
}
