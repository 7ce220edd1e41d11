/**
 * One pipeline per (target project, service) at a time. Before its first step each attempt
 * asks for its turn on the service; while another submission's pipeline has it, the attempt
 * waits, in the order of approval, and goes when that one ends (live, failed or cancelled).
 * Pure: the lock's shape and how asking and leaving change it; src/store/service-lock.ts
 * keeps it in Firestore, read and written in one transaction with what it depends on.
 */
import type { PipelineRun } from './pipeline-run.ts';
import { isWorking } from './run-transitions.ts';
import { isRunning } from './service-operation.ts';
import type { Submission } from './submission.ts';

/** A submission waiting for its turn, since `at` (its approval, or its retry). */
export interface QueuedTurn {
  id: string;
  at: Date;
}

/** Who has the service now, and who waits for it, first in line first. */
export interface ServiceLock {
  holder?: string;
  since?: Date;
  queue: QueuedTurn[];
}

/** What asking for the turn answered: go, or wait for that submission. */
export type TurnAnswer = { kind: 'holding' } | { kind: 'waiting'; for: string };

/** The lock's document id: project and service ids never contain `~`. */
export function serviceLockId(project: string, service: string): string {
  return `${project}~${service}`;
}

/**
 * Where an attempt joins the line: a first attempt at its approval (so submissions go in
 * the order they were approved, whichever bot instance steps first), a retry when it asks.
 */
export function queuedTurn(submission: Submission, run: PipelineRun, now: Date): QueuedTurn {
  const at = run.attempt === 1 && submission.approval ? submission.approval.at : now;
  return { id: submission.id, at };
}

/**
 * Whether `submission`'s pipeline (or its promote or rollback) still runs on this service:
 * a holder or a waiter that is not (or no longer) is passed over, so a crash before its
 * release blocks nobody.
 */
export function runsOn(
  submission: Submission | undefined,
  project: string,
  service: string,
): boolean {
  const operation = submission?.operation;
  if (operation && isRunning(operation)) {
    if (operation.project === project && operation.service === service) return true;
  }
  const run = submission?.pipeline;
  return (
    submission !== undefined &&
    run !== undefined &&
    isWorking(submission.status) &&
    run.project === project &&
    run.service === service
  );
}

/** Who may go before `me`, in order: the holder, then the submissions in line ahead. */
export function goesBefore(lock: ServiceLock | undefined, me: QueuedTurn): string[] {
  if (!lock || lock.holder === me.id) return [];
  const mine = lock.queue.findIndex((entry) => entry.id === me.id);
  const ahead =
    mine >= 0 ? lock.queue.slice(0, mine) : lock.queue.filter((entry) => entry.at <= me.at);
  const ids = ahead.map((entry) => entry.id).filter((id) => id !== lock.holder);
  return lock.holder ? [lock.holder, ...ids] : ids;
}

/**
 * The lock after `me` asked for its turn. `first` is the first of goesBefore() whose
 * pipeline still runs (none: `me` goes), `ended` those before it found ended: they lose
 * their place.
 */
export function askTurn(
  lock: ServiceLock | undefined,
  me: QueuedTurn,
  first: string | undefined,
  ended: ReadonlySet<string>,
  now: Date,
): { lock: ServiceLock; answer: TurnAnswer } {
  const queue = (lock?.queue ?? []).filter((entry) => !ended.has(entry.id));
  if (first === undefined) {
    const since = lock?.holder === me.id && lock.since ? lock.since : now;
    return {
      lock: { holder: me.id, since, queue: queue.filter((entry) => entry.id !== me.id) },
      answer: { kind: 'holding' },
    };
  }
  const holder = lock?.holder && !ended.has(lock.holder) ? lock : undefined;
  return {
    lock: {
      ...(holder?.holder ? { holder: holder.holder } : {}),
      ...(holder?.since ? { since: holder.since } : {}),
      queue: queue.some((entry) => entry.id === me.id) ? queue : inLine(queue, me),
    },
    answer: { kind: 'waiting', for: first },
  };
}

/** `entry` placed after everyone who came at the same time or earlier. */
function inLine(queue: QueuedTurn[], entry: QueuedTurn): QueuedTurn[] {
  const after = queue.findIndex((other) => other.at > entry.at);
  if (after < 0) return [...queue, entry];
  return [...queue.slice(0, after), entry, ...queue.slice(after)];
}

/** The lock after `id`'s pipeline ended: neither holding nor waiting; undefined when empty. */
export function leaveTurn(lock: ServiceLock, id: string): ServiceLock | undefined {
  const queue = lock.queue.filter((entry) => entry.id !== id);
  const holds = lock.holder !== undefined && lock.holder !== id;
  if (!holds && queue.length === 0) return undefined;
  return holds
    ? { holder: lock.holder, ...(lock.since ? { since: lock.since } : {}), queue }
    : { queue };
}

/** The submission the run waits for, while another pipeline has its service. */
export function waitsFor(run: PipelineRun): string | undefined {
  return run.turn?.state === 'waiting' ? run.turn.for : undefined;
}

/** The run waiting for `other` (since it first had to wait). */
export function waitingRun(run: PipelineRun, other: string, now: Date): PipelineRun {
  const since = run.turn?.state === 'waiting' ? run.turn.since : now;
  return { ...run, turn: { state: 'waiting', for: other, since } };
}

/** The run holding its service; `waited` says for whom, when it had to wait. */
export function holdingRun(run: PipelineRun, now: Date): PipelineRun {
  const waited = run.turn?.state === 'waiting' ? run.turn : undefined;
  return {
    ...run,
    turn: {
      state: 'holding',
      since: now,
      ...(waited ? { waited: { for: waited.for, since: waited.since } } : {}),
    },
  };
}
