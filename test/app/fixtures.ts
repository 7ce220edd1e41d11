import { Writable } from 'node:stream';
import { AccessPolicy, type ApprovalRules } from '../../src/app/access.ts';
import type { AppDeps } from '../../src/app/context.ts';
import type { Result } from '../../src/app/outcomes.ts';
import type { Actor, Submission, ThreadRef } from '../../src/domain/submission.ts';
import { createLogger } from '../../src/log.ts';
import type { Notifier } from '../../src/ports/notifier.ts';
import type { Pipeline } from '../../src/ports/pipeline.ts';
import type { RegistryError, RegistryPort } from '../../src/ports/registry.ts';
import { groups, MemoryServices } from '../helpers/memory-services.ts';
import { MemoryStore } from '../helpers/memory-store.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

export const PARTNER: Actor = { userId: 'UPARTNER01', name: 'pat' };
export const OTHER: Actor = { userId: 'UPARTNER02', name: 'otto' };
export const APPROVER: Actor = { userId: 'UAPPROVER1', name: 'alex' };
/** The target projects; the first is the default. */
export const PROJECTS = ['pg-prod-1', 'pg-dev-1'];
export const THREAD: ThreadRef = { channel: 'CREVIEW001', ts: '1700000000.000100' };

/** Thread links as Slack would give them. */
class LinkingNotifier implements Notifier {
  async threadLink(submission: Submission) {
    return submission.thread ? `https://slack.example/archives/${submission.thread.ts}` : undefined;
  }
}

/** A digest for any image, until `refuse` says how the registry answers instead. */
class ScriptedRegistry implements RegistryPort {
  readonly asked: string[] = [];
  refuse: RegistryError | undefined;
  async resolve(ref: { reference: string }) {
    this.asked.push(ref.reference);
    if (this.refuse) throw this.refuse;
    return {
      digest: `sha256:${'a'.repeat(64)}`,
      mediaType: 'application/vnd.oci.image.index.v1+json',
    };
  }
}

/** The pipeline's calls, in order; `retryError` makes the next retry fail. */
class RecordingPipeline implements Pipeline {
  readonly calls: {
    call: 'start' | 'retry' | 'cancel' | 'operate';
    id: string;
    status: string;
  }[] = [];
  retryError: unknown;
  async start(submission: Submission) {
    this.calls.push({ call: 'start', id: submission.id, status: submission.status });
  }
  async retry(submission: Submission) {
    this.calls.push({ call: 'retry', id: submission.id, status: submission.status });
    if (this.retryError) throw this.retryError;
  }
  async cancel(submission: Submission) {
    this.calls.push({ call: 'cancel', id: submission.id, status: submission.status });
  }
  async operate(submission: Submission) {
    this.calls.push({ call: 'operate', id: submission.id, status: submission.status });
  }
}

/** The use cases' ports in memory, with what they were asked and the log lines written. */
export function ports(rules?: ApprovalRules) {
  const store = new MemoryStore();
  const notifier = new LinkingNotifier();
  const pipeline = new RecordingPipeline();
  const registry = new ScriptedRegistry();
  const approvers = new Set([APPROVER.userId]);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line));
        done();
      },
    }),
  );
  const access = new AccessPolicy({
    approvers: { ids: [APPROVER.userId], includes: async (userId) => approvers.has(userId) },
    store,
    logger,
    ...(rules ? { rules } : {}),
  });
  const services = new MemoryServices();
  const ownership = {
    targetProjects: PROJECTS,
    reservedServices: ['status'],
    teams: groups({ STEAM: [OTHER.userId] }),
  };
  const deps: AppDeps = {
    store,
    notifier,
    pipeline,
    registry,
    access,
    services,
    ownership,
    logger,
  };
  return { deps, store, pipeline, registry, approvers, services, logs };
}

let requests = 0;
/** A fixed set of approvers, as a project's own (PLAYGROUND_PROJECT_APPROVERS) gives. */
export function directory(...ids: string[]) {
  return { ids, includes: async (userId: string) => ids.includes(userId) };
}

/** A fresh Slack-like request id. */
export function requestId(): string {
  requests += 1;
  return `test:${requests}`;
}

/** A submission by PARTNER, stored with its review thread, as the submit use case leaves it. */
export async function submitted(store: MemoryStore, partner = PARTNER): Promise<Submission> {
  const { submission } = await store.create({
    partner,
    spec: sampleSpec(),
    warnings: [],
    requestId: requestId(),
  });
  return (await store.setThread(submission.id, THREAD)).submission;
}

/** Runs the work a use case left for after the answer, as the Slack answer path does. */
export async function settle<O>(result: Result<O>): Promise<O> {
  await result.afterwards?.();
  return result.outcome;
}
