import { randomUUID } from 'node:crypto';
import { render } from '../bundle/render.ts';
import {
  CHECKLIST,
  freshSteps,
  LOG_TAIL_LINES,
  type Milestone,
  type PipelineFailure,
  type PipelineRun,
  type StepName,
  versionConsoleUrl,
} from '../domain/pipeline-run.ts';
import type { Action } from '../domain/status.ts';
import { type Actor, currentRevision, type Submission } from '../domain/submission.ts';
import { defaultVersionId } from '../domain/version-id.ts';
import type { Logger } from '../log.ts';
import type { BuildPort } from '../ports/build.ts';
import type { BuildLogPort } from '../ports/build-logs.ts';
import type { DeployErrorCode, DeployPort } from '../ports/deploy.ts';
import type { Pipeline } from '../ports/pipeline.ts';
import type { Progress } from '../ports/progress.ts';
import { isRefusal } from '../ports/service-error.ts';
import {
  isStoreError,
  type PipelineStore,
  StoreError,
  type SubmissionStore,
} from '../ports/store.ts';
import { KeyedLock } from '../store/lock.ts';
import { observeBuild } from './observe.ts';
import { type Backoff, DEFAULT_BACKOFF, nextDelay, PollBudget } from './poll-budget.ts';

export interface TrackerOptions {
  store: SubmissionStore & PipelineStore;
  builds: BuildPort;
  deploys: DeployPort;
  /** Where a failed step's last log lines are read from; without it failures show none. */
  buildLogs?: BuildLogPort;
  progress: Progress;
  /** Where wrapped images are pushed (PLAYGROUND_REGISTRY). */
  registry: string;
  logger: Logger;
  /** This instance's name on leases; a random one by default. */
  owner?: string;
  leaseMs?: number;
  tickMs?: number;
  /** How often to look for pipelines nobody tracks (new ones, a dead instance's). */
  discoverMs?: number;
  /** Upper bound on Cloud Build + App Engine calls per minute for this instance. */
  callsPerMinute?: number;
  backoff?: Backoff;
}

/** Production tuning; tests and the local workspace override some of it. */
export const TRACKER_DEFAULTS = {
  leaseMs: 30_000,
  tickMs: 500,
  discoverMs: 5_000,
  callsPerMinute: 120,
  backoff: DEFAULT_BACKOFF,
} as const;

/** The pipeline acts on its own behalf in the audit trail. */
export const PIPELINE_ACTOR: Actor = { userId: 'pipeline', name: 'playground-deploy pipeline' };

interface Held {
  nextPollAt: number;
  delayMs?: number;
  /** When our lease ends, by this process's clock (taken before asking for it). */
  leaseUntil: number;
}

const WORKING = new Set(['approved', 'building', 'testing', 'deploying']);

/** Submissions read per discovery query. */
const DISCOVERY_PAGE = 200;

/** Pipelines stepped at the same time by one instance. */
const STEP_CONCURRENCY = 8;

/**
 * Drives every pipeline this instance holds a lease on, one small step at a time:
 * each step reads the stored run, makes at most one call to Cloud Build or App Engine,
 * and stores what it learned before doing anything else. So a crash anywhere is
 * followed, on any instance, by the right next step.
 */
export class Tracker implements Pipeline {
  readonly owner: string;
  readonly #o: Required<Omit<TrackerOptions, 'owner' | 'buildLogs'>> &
    Pick<TrackerOptions, 'buildLogs'>;
  readonly #held = new Map<string, Held>();
  /** Pipelines with a step running now: the tick skips them rather than queue. */
  readonly #busy = new Set<string>();
  /** One change at a time per pipeline in this process: steps, starts, retries. */
  readonly #lock = new KeyedLock();
  readonly #budget: PollBudget;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #lastDiscovery = 0;
  #renewTimer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  constructor(options: TrackerOptions) {
    this.owner = options.owner ?? `bot-${randomUUID().slice(0, 8)}`;
    this.#o = { ...TRACKER_DEFAULTS, ...options };
    this.#budget = new PollBudget(this.#o.callsPerMinute);
  }

  /** Pipelines this instance drives now. */
  get held(): string[] {
    return [...this.#held.keys()];
  }

  // ---- Pipeline port ---------------------------------------------------------------------

  async start(submission: Submission): Promise<void> {
    const approval = submission.approval;
    const spec = currentRevision(submission).spec;
    if (!approval) throw new Error(`${submission.id} has no approval to deploy`);
    const versionId = approval.versionLabel ?? defaultVersionId(submission.id, submission.revision);
    const run: PipelineRun = {
      attempt: 1,
      project: approval.project,
      service: spec.service,
      versionId,
      promote: approval.promote,
      image: `${this.#o.registry}/${spec.service}:${defaultVersionId(submission.id, submission.revision)}`,
      steps: freshSteps(),
      consoleUrl: versionConsoleUrl(approval.project, spec.service, versionId),
      announced: {},
    };
    try {
      await this.#take(submission.id, run);
    } catch (error) {
      // Another instance found the approved submission first and is starting it.
      if (!isStoreError(error, 'conflict')) throw error;
      this.#o.logger.info({ submissionId: submission.id }, 'pipeline started by another instance');
    }
  }

  async retry(submission: Submission, actor: Actor): Promise<void> {
    const previous = submission.pipeline;
    if (!previous) throw new Error(`${submission.id} has never been deployed`);
    // What already worked is kept: a pushed image is not rebuilt, a created version is
    // not created again when only moving traffic to it failed.
    const failed = previous.failure?.step;
    const deployOnly =
      previous.imageDigest !== undefined && (failed === 'deploy' || failed === 'promote');
    const kept: StepName[] = ['render', 'wrap', 'test', 'push'];
    if (deployOnly && failed === 'promote') kept.push('deploy');
    const steps = freshSteps();
    if (deployOnly) for (const name of kept) steps[name] = previous.steps[name];
    const {
      failure: _failure,
      deployRequestedAt: _r,
      deployOperation: _d,
      promoteOperation: _p,
      ...rest
    } = previous;
    const run: PipelineRun = {
      ...rest,
      attempt: previous.attempt + 1,
      steps,
      ...(deployOnly
        ? {}
        : {
            buildRequested: undefined,
            buildId: undefined,
            buildLogUrl: undefined,
            imageDigest: undefined,
          }),
    };
    const action: Action = deployOnly ? 'start_deploy' : 'start_build';
    await this.#take(submission.id, run, {
      action,
      actor,
      detail: `retry, attempt ${run.attempt}`,
    });
  }

  async cancel(submission: Submission): Promise<void> {
    if (await this.#lease(submission.id)) await this.#stepSafely(submission.id);
  }

  // ---- loop ------------------------------------------------------------------------------

  /** Starts tracking: finds in-flight pipelines (resuming after a restart) and polls them. */
  run(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (!this.#ticking) this.#ticking = this.tick().finally(() => (this.#ticking = undefined));
    }, this.#o.tickMs);
    // Leases are renewed on their own clock: a slow round of steps must not let them lapse.
    this.#renewTimer = setInterval(() => {
      if (this.#renewing) return;
      this.#renewing = this.#renew()
        .catch((error: unknown) => this.#o.logger.warn({ err: error }, 'could not renew leases'))
        .finally(() => (this.#renewing = undefined));
    }, this.#o.leaseMs / 3);
  }

  /**
   * Stops polling, lets Slack updates finish, and gives every lease back so another
   * instance takes over at once. `release: false` leaves the leases to expire, as a
   * crashed instance would (failover drills).
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#renewTimer);
    this.#timer = undefined;
    await this.#ticking;
    await this.#renewing;
    await this.#o.progress.flush();
    if (options.release !== false) {
      await Promise.allSettled(this.held.map((id) => this.#o.store.release(id, this.owner)));
    }
    this.#held.clear();
  }

  /** One round: discover and renew leases when due, then step the pipelines that are due. */
  async tick(now = Date.now()): Promise<void> {
    try {
      if (now - this.#lastDiscovery >= this.#o.discoverMs) {
        this.#lastDiscovery = now;
        await this.#discover();
      }
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'could not look for pipelines to track');
    }
    const due = [...this.#held.entries()]
      .filter(([, h]) => h.nextPollAt <= now)
      .sort((a, b) => a[1].nextPollAt - b[1].nextPollAt)
      .map(([id]) => id);
    // A few pipelines step at once: each step mostly waits on Firestore and the APIs.
    let budgetLeft = true;
    await eachLimited(due, STEP_CONCURRENCY, async (id) => {
      budgetLeft &&= this.#budget.take();
      if (budgetLeft) await this.#stepSafely(id);
    });
  }

  async #discover(): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = await this.#o.store.inFlight({
        limit: DISCOVERY_PAGE,
        ...(after ? { after } : {}),
      });
      const now = new Date();
      for (const { submission, lease } of page) {
        if (this.#held.has(submission.id)) continue;
        // Another live instance drives it: no need to ask the database.
        if (lease && lease.owner !== this.owner && lease.until > now) continue;
        if (!submission.pipeline) {
          // Approved, but the instance that approved it died before starting it.
          if (submission.status === 'approved') await this.start(submission);
          continue;
        }
        if (await this.#lease(submission.id)) {
          this.#o.logger.info({ submissionId: submission.id }, 'tracking pipeline');
        }
      }
      if (page.length < DISCOVERY_PAGE) return;
      after = page.at(-1)?.submission.id;
    }
  }

  async #renew(): Promise<void> {
    await eachLimited(this.held, STEP_CONCURRENCY, async (id) => {
      if (!(await this.#lease(id))) this.#drop(id, 'lease lost');
    });
  }

  /**
   * Takes or renews the lease and notes, by our own clock, when it ends: the time is
   * read before asking, so the note is never later than the database's expiry.
   */
  async #lease(id: string): Promise<boolean> {
    const asked = Date.now();
    if (!(await this.#o.store.lease(id, this.owner, this.#o.leaseMs))) return false;
    const held = this.#held.get(id);
    const leaseUntil = asked + this.#o.leaseMs;
    if (held) held.leaseUntil = leaseUntil;
    else this.#held.set(id, { nextPollAt: 0, leaseUntil });
    return true;
  }

  /**
   * Leases the pipeline and writes its new run, then steps it. A first run is written
   * only if none exists yet (another instance may have started it meanwhile).
   */
  async #take(id: string, run: PipelineRun, change?: Parameters<PipelineStore['saveRun']>[3]) {
    // After any step of this pipeline still running here (e.g. the one announcing a failure).
    await this.#lock.run(id, async () => {
      if (!(await this.#lease(id))) {
        throw new StoreError('conflict', `${id} is being handled by another bot instance`);
      }
      const first = run.attempt === 1 && !change;
      if (!(first && (await this.#o.store.get(id))?.pipeline)) {
        await this.#o.store.saveRun(id, this.owner, run, change);
      }
    });
    await this.#stepSafely(id);
  }

  #drop(id: string, why: string) {
    this.#held.delete(id);
    this.#o.logger.info({ submissionId: id, why }, 'stopped tracking pipeline');
  }

  async #finish(id: string) {
    this.#drop(id, 'pipeline ended');
    await this.#o.store.release(id, this.owner);
  }

  /** One step, with its failures logged and turned into a later retry. */
  async #stepSafely(id: string): Promise<void> {
    const held = this.#held.get(id);
    if (!held || this.#busy.has(id)) return;
    // Calls to Cloud Build or App Engine are made only with time left on the lease, so a
    // slow instance never acts on a pipeline another one may already have taken over.
    if (held.leaseUntil - Date.now() < this.#o.leaseMs / 3) return;
    this.#busy.add(id);
    const log = this.#o.logger.child({ submissionId: id });
    let changed = false;
    try {
      changed = await this.#lock.run(id, () => this.#step(id, log));
    } catch (error) {
      if (isStoreError(error, 'conflict')) {
        this.#drop(id, 'lease lost');
        return;
      }
      log.warn({ err: error }, 'pipeline step failed; will try again');
    } finally {
      this.#busy.delete(id);
    }
    const current = this.#held.get(id);
    if (current) {
      current.delayMs = nextDelay(current.delayMs, changed, this.#o.backoff);
      current.nextPollAt = Date.now() + current.delayMs;
    }
  }

  /** Reads the run and does the one next thing. Returns whether anything changed. */
  async #step(id: string, log: Logger): Promise<boolean> {
    const submission = await this.#o.store.get(id);
    const run = submission?.pipeline;
    if (!submission || !run) {
      await this.#finish(id);
      return false;
    }
    if (submission.status === 'cancelled') return this.#windDown(submission, run);
    if (!WORKING.has(submission.status)) {
      // live or failed: make sure the outcome was told, then let go.
      const kind = submission.status === 'live' ? 'live' : 'failed';
      if (run.announced[kind] !== run.attempt) await this.#announce(submission, run, kind);
      await this.#finish(id);
      return false;
    }
    try {
      if (!run.buildId && !run.imageDigest) return await this.#startBuild(submission, run, log);
      if (!run.imageDigest || submission.status !== 'deploying') {
        return await this.#pollBuild(submission, run, log);
      }
      return await this.#deploy(submission, run, log);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      return this.#refused(id, error, log);
    }
  }

  /**
   * Cloud Build or App Engine refused the step for good (no permission, no App Engine
   * application in the project, a version id already taken...): trying again would not
   * help, so the pipeline fails at the step it was on, with the service's own words.
   */
  async #refused(id: string, error: Error, log: Logger): Promise<boolean> {
    log.warn({ err: error }, 'the step was refused');
    // Read again: the step may have saved the run before the call that was refused.
    const submission = await this.#o.store.get(id);
    const run = submission?.pipeline;
    if (!submission || !run || !WORKING.has(submission.status)) return false;
    const step =
      CHECKLIST.find((name) => run.steps[name].state === 'running') ??
      CHECKLIST.find((name) => run.steps[name].state === 'pending') ??
      'deploy';
    const failed = { ...run.steps[step], state: 'failed' as const, endedAt: new Date() };
    const taken = isRefusal(error) && error.code === ('version_exists' satisfies DeployErrorCode);
    const detail = taken
      ? `${error.message} Delete that version of ${run.service} in ${run.project} (App Engine console, Versions) and Retry, or cancel and submit again for another version label.`
      : error.message;
    return this.#fail(
      submission,
      { ...run, steps: { ...run.steps, [step]: failed } },
      { step, detail },
    );
  }

  async #save(submission: Submission, run: PipelineRun, action?: Action, detail?: string) {
    const saved = await this.#o.store.saveRun(
      submission.id,
      this.owner,
      run,
      action ? { action, actor: PIPELINE_ACTOR, ...(detail ? { detail } : {}) } : undefined,
    );
    if (run.statusMessage) this.#o.progress.update(saved, run);
    return saved;
  }

  async #announce(submission: Submission, run: PipelineRun, kind: Milestone) {
    let current = run;
    if (!current.statusMessage && submission.thread) {
      current = {
        ...current,
        statusMessage: await this.#o.progress.postStatus(submission, current),
      };
    }
    await this.#o.progress.milestone(submission, current, kind);
    current = { ...current, announced: { ...current.announced, [kind]: current.attempt } };
    return this.#save(submission, current);
  }

  async #startBuild(submission: Submission, run: PipelineRun, log: Logger): Promise<boolean> {
    const revision = currentRevision(submission);
    const now = new Date();
    let started: { buildId: string; logUrl?: string } | undefined;
    if (run.buildRequested) {
      // An earlier step asked for this build and stopped before storing its id.
      const found = await this.#o.builds.findAttempt(submission.id, revision.number, run.attempt);
      if (found) {
        started = { buildId: found.id, ...(found.logUrl ? { logUrl: found.logUrl } : {}) };
        log.info({ buildId: found.id }, 'build adopted after a restart');
      }
    } else {
      // Written before the call, so a crash right after it is noticed on resume.
      submission = await this.#save(submission, { ...run, buildRequested: true });
    }
    started ??= await this.#o.builds.start({
      submissionId: submission.id,
      revision: revision.number,
      spec: revision.spec,
      bundle: render(revision.spec, { project: run.project }),
      image: run.image,
      attempt: run.attempt,
    });
    log.info({ buildId: started.buildId }, 'build started');
    const next: PipelineRun = {
      ...run,
      buildRequested: true,
      buildId: started.buildId,
      ...(started.logUrl ? { buildLogUrl: started.logUrl } : {}),
      steps: { ...run.steps, render: { state: 'done', startedAt: now, endedAt: new Date() } },
    };
    const saved = await this.#save(
      submission,
      next,
      submission.status === 'approved' ? 'start_build' : undefined,
    );
    if (next.announced.started !== next.attempt) await this.#announce(saved, next, 'started');
    return true;
  }

  async #pollBuild(submission: Submission, run: PipelineRun, log: Logger): Promise<boolean> {
    if (!run.buildId) return false;
    const build = await this.#o.builds.get(run.buildId);
    const { run: next, phase } = observeBuild(run, build);
    const changed = JSON.stringify(next) !== JSON.stringify(run);
    let current = submission;
    const walk = async (action: Action, to: string) => {
      if (current.status !== to) current = await this.#save(current, next, action);
    };
    switch (phase) {
      case 'building':
        if (changed) await this.#save(current, next);
        return changed;
      case 'testing':
        await walk('start_test', 'testing');
        if (changed) await this.#save(current, next);
        return true;
      case 'built':
        if (current.status === 'building') await walk('start_test', 'testing');
        current = await this.#save(current, next, 'start_deploy');
        return true;
      case 'failed': {
        const failure = next.failure as PipelineFailure;
        const logTail = await this.#logTail(run.buildId, build.failure?.step, log);
        return this.#fail(current, next, { ...failure, ...(logTail ? { logTail } : {}) });
      }
      case 'cancelled':
        await this.#o.store.apply(submission.id, 'cancel', {
          actor: PIPELINE_ACTOR,
          requestId: `pipeline:${submission.id}:${run.attempt}:build-cancelled`,
          detail: 'the build was cancelled outside the bot',
        });
        return true;
    }
  }

  /**
   * The last lines the failed build step printed, for the failure reply; undefined when
   * there are none or they cannot be read (the failure is told without them).
   */
  async #logTail(buildId: string, stepId: string | undefined, log: Logger) {
    if (!this.#o.buildLogs) return undefined;
    try {
      const lines = await this.#o.buildLogs.tail({
        buildId,
        ...(stepId ? { stepId } : {}),
        lines: LOG_TAIL_LINES,
      });
      return lines.length > 0 ? lines : undefined;
    } catch (error) {
      log.warn({ err: error, buildId }, 'could not read the build log');
      return undefined;
    }
  }

  async #fail(submission: Submission, run: PipelineRun, failure: PipelineFailure) {
    const failed: PipelineRun = { ...run, failure };
    const saved = await this.#save(
      submission,
      failed,
      'fail',
      `${failure.step}: ${failure.detail}`,
    );
    await this.#o.progress.flush();
    await this.#announce(saved, failed, 'failed');
    await this.#finish(submission.id);
    return true;
  }

  async #deploy(submission: Submission, run: PipelineRun, log: Logger): Promise<boolean> {
    const { deploys } = this.#o;
    if (run.steps.deploy.state !== 'done') {
      if (!run.deployOperation) return this.#createVersion(submission, run, log);
      const state = await deploys.getOperation(run.deployOperation);
      if (!state.done) return false;
      const deploy = { ...run.steps.deploy, endedAt: new Date() };
      if (state.error) {
        return this.#fail(
          submission,
          { ...run, steps: { ...run.steps, deploy: { ...deploy, state: 'failed' } } },
          { step: 'deploy', detail: state.error.message },
        );
      }
      const deployed: PipelineRun = {
        ...run,
        ...(state.versionUrl ? { versionUrl: state.versionUrl } : {}),
        steps: { ...run.steps, deploy: { ...deploy, state: 'done' } },
      };
      return this.#afterDeploy(submission, deployed);
    }
    // Deployed by an earlier attempt whose promote failed: move the traffic again.
    if (!run.promoteOperation) return this.#afterDeploy(submission, run);
    const state = await deploys.getOperation(run.promoteOperation);
    if (!state.done) return false;
    const promote = { ...run.steps.promote, endedAt: new Date() };
    if (state.error) {
      return this.#fail(
        submission,
        { ...run, steps: { ...run.steps, promote: { ...promote, state: 'failed' } } },
        { step: 'promote', detail: state.error.message },
      );
    }
    return this.#goLive(submission, {
      ...run,
      steps: { ...run.steps, promote: { ...promote, state: 'done' } },
    });
  }

  async #createVersion(submission: Submission, run: PipelineRun, log: Logger): Promise<boolean> {
    const { deploys } = this.#o;
    let operation: string | undefined;
    let requested = run;
    if (run.deployRequestedAt) {
      // An earlier step asked App Engine for this version and stopped before storing
      // the operation: follow that create rather than answer "already exists" to ourselves.
      operation = await deploys.findCreateOperation(
        run.project,
        run.service,
        run.versionId,
        run.deployRequestedAt,
      );
      if (operation) log.info({ operation }, 'deploy adopted after a restart');
    } else {
      // Written before the call, so a crash right after it is noticed on resume.
      const now = new Date();
      requested = {
        ...run,
        deployRequestedAt: now,
        steps: { ...run.steps, deploy: { state: 'running', startedAt: now } },
      };
      submission = await this.#save(submission, requested);
    }
    if (!operation) {
      const revision = currentRevision(submission);
      const imageUrl = `${run.image.replace(/:[^:/]+$/, '')}@${run.imageDigest}`;
      ({ operation } = await deploys.createVersion({
        project: run.project,
        spec: revision.spec,
        versionId: run.versionId,
        imageUrl,
      }));
    }
    await this.#save(submission, { ...requested, deployOperation: operation });
    return true;
  }

  /** A deployed version: move traffic to it when the approver asked, else it is live. */
  async #afterDeploy(submission: Submission, deployed: PipelineRun): Promise<boolean> {
    if (!deployed.promote) {
      const skipped = {
        ...deployed,
        steps: { ...deployed.steps, promote: { state: 'skipped' as const } },
      };
      return this.#goLive(submission, skipped);
    }
    // Stored first: the version exists whatever becomes of the promote (a retry then only
    // moves the traffic).
    if (submission.pipeline?.steps.deploy.state !== 'done') {
      submission = await this.#save(submission, deployed);
    }
    const { operation } = await this.#o.deploys.promote(
      deployed.project,
      deployed.service,
      deployed.versionId,
    );
    await this.#save(submission, {
      ...deployed,
      promoteOperation: operation,
      steps: { ...deployed.steps, promote: { state: 'running', startedAt: new Date() } },
    });
    return true;
  }

  async #goLive(submission: Submission, run: PipelineRun): Promise<boolean> {
    const saved = await this.#save(submission, run, 'go_live', run.versionUrl);
    await this.#o.progress.flush();
    await this.#announce(saved, run, 'live');
    await this.#finish(submission.id);
    return true;
  }

  async #windDown(submission: Submission, run: PipelineRun): Promise<boolean> {
    // A build that has not pushed may still be running; cancelling a finished one is a no-op.
    if (run.buildId && !run.imageDigest && run.announced.cancelled !== run.attempt) {
      try {
        await this.#o.builds.cancel(run.buildId);
      } catch (error) {
        // A build Cloud Build no longer knows, or may not stop, cannot hold the cancel up.
        if (!isRefusal(error)) throw error;
        this.#o.logger.warn({ err: error, submissionId: submission.id }, 'build not cancelled');
      }
    }
    if (run.announced.cancelled !== run.attempt) {
      const steps = { ...run.steps };
      for (const [name, step] of Object.entries(steps) as [
        StepName,
        PipelineRun['steps'][StepName],
      ][]) {
        if (step.state === 'running' || step.state === 'pending') {
          steps[name] = {
            ...step,
            state: 'cancelled',
            ...(step.startedAt ? { endedAt: new Date() } : {}),
          };
        }
      }
      const saved = await this.#save(submission, { ...run, steps });
      await this.#o.progress.flush();
      await this.#announce(saved, { ...run, steps }, 'cancelled');
    }
    await this.#finish(submission.id);
    return true;
  }
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(workers);
}
