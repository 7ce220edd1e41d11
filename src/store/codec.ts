/**
 * Domain objects <-> Firestore documents. Dates become Timestamps, undefined fields are left
 * out (Firestore refuses them), and whatever is read back is checked before the rest of the
 * app sees it: a document of the wrong shape is a StoreError `invalid_data`, not a crash later.
 *
 * The spec inside a revision is checked only as an object: it is history, written by an
 * earlier version of the spec schema, and must stay readable when that schema changes.
 */
import { Timestamp } from '@google-cloud/firestore';
import { z } from 'zod';
import { REGISTRY_ERROR_CODES } from '../domain/image-resolution.ts';
import { CHECKLIST, type StepName } from '../domain/pipeline-run.ts';
import { ACTIONS, type Action, STATUSES } from '../domain/status.ts';
import type { AuditAction, AuditEvent, Submission } from '../domain/submission.ts';
import { isMapping, type SubmissionSpec } from '../domain/submission-spec/index.ts';
import { versionRefSchema } from '../domain/version-lifecycle.ts';
import { StoreError } from '../ports/store.ts';
import { housekeeping, versionRemoval, versionRoom } from './lifecycle-codec.ts';

/** Bumped when the stored shape changes incompatibly. */
export const SCHEMA_VERSION = 1;

/** Date -> Timestamp, undefined dropped, recursively; everything else as is. */
export function toFirestoreValue(value: unknown): unknown {
  if (value instanceof Date) return Timestamp.fromDate(value);
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(toFirestoreValue);
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v !== undefined) out[key] = toFirestoreValue(v);
    }
    return out;
  }
  return value;
}

export const date = z.instanceof(Timestamp).transform((t) => t.toDate());
export const actor = z.object({ userId: z.string().min(1), name: z.string().optional() });
const status = z.enum(STATUSES);
const auditActions = [
  ...(Object.keys(ACTIONS) as Action[]),
  'submit',
  'refused',
  'stalled',
  'promote',
  'rollback',
] as const;
const auditAction = z.enum(auditActions as unknown as [AuditAction, ...AuditAction[]]);
const spec = z.custom<SubmissionSpec>(isMapping, { message: 'expected the spec object' });

export const auditEvent = z.object({
  at: date,
  actor,
  action: auditAction,
  from: status.optional(),
  to: status.optional(),
  requestId: z.string().optional(),
  detail: z.string().optional(),
});

const imageResolution = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('resolved'),
    digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
    mediaType: z.string().min(1),
    at: date,
  }),
  z.object({
    kind: z.literal('unresolved'),
    code: z.enum(REGISTRY_ERROR_CODES),
    message: z.string(),
    account: z.string().optional(),
    at: date,
  }),
]);
/** What is live on a service (a service record's, and an update's view of it). */
export const liveVersion = z.object({
  version: z.string().min(1),
  image: z.string().min(1),
  digest: z.string().optional(),
  submissionId: z.string().min(1),
  revision: z.number().int().positive(),
  spec,
  at: date,
});

const revision = z.object({
  number: z.number().int().positive(),
  spec,
  warnings: z.array(z.object({ path: z.string(), message: z.string() })),
  submittedBy: actor,
  submittedAt: date,
  image: imageResolution.optional(),
  updateOf: z
    .object({
      project: z.string().min(1),
      chosen: z.enum(['default_project', 'only_project', 'first_project']),
      live: liveVersion,
    })
    .optional(),
});

const stepProgress = z.object({
  state: z.enum(['pending', 'running', 'done', 'failed', 'skipped', 'cancelled']),
  startedAt: date.optional(),
  endedAt: date.optional(),
});

const pipelineRun = z.object({
  attempt: z.number().int().positive(),
  project: z.string().min(1),
  service: z.string().min(1),
  versionId: z.string().min(1),
  promote: z.boolean(),
  image: z.string().min(1),
  steps: z.object({
    ...(Object.fromEntries(CHECKLIST.map((step) => [step, stepProgress])) as Record<
      StepName,
      typeof stepProgress
    >),
    // Runs stored before the live check existed have no `verify`: still to do.
    verify: stepProgress.default({ state: 'pending' }),
  }),
  buildId: z.string().optional(),
  buildRequested: z.boolean().optional(),
  buildLogUrl: z.string().optional(),
  buildNote: z.string().optional(),
  imageDigest: z.string().optional(),
  deployRequestedAt: date.optional(),
  deployOperation: z.string().optional(),
  promoteOperation: z.string().optional(),
  versionUrl: z.string().optional(),
  consoleUrl: z.string().optional(),
  failure: z
    .object({
      step: z.enum(CHECKLIST),
      detail: z.string(),
      logTail: z.array(z.string()).optional(),
      buildStep: z.string().optional(),
      kind: z.literal('deadline').optional(),
    })
    .optional(),
  statusMessage: z.object({ channel: z.string().min(1), ts: z.string().min(1) }).optional(),
  announced: z.object({
    started: z.number().int().optional(),
    failed: z.number().int().optional(),
    live: z.number().int().optional(),
    cancelled: z.number().int().optional(),
  }),
  turn: z
    .discriminatedUnion('state', [
      z.object({ state: z.literal('waiting'), for: z.string().min(1), since: date }),
      z.object({
        state: z.literal('holding'),
        since: date,
        waited: z.object({ for: z.string().min(1), since: date }).optional(),
      }),
    ])
    .optional(),
  buildTimeoutSeconds: z.number().int().positive().optional(),
  progressAt: date.optional(),
  housekeeping: housekeeping.optional(),
  versionRoom: versionRoom.optional(),
  removal: versionRemoval.optional(),
  checks: z
    .array(z.object({ name: z.string().min(1), ok: z.boolean(), detail: z.string().optional() }))
    .optional(),
  liveCheck: z
    .object({
      url: z.string().min(1),
      ok: z.boolean(),
      probes: z.array(
        z.object({
          name: z.enum(['health', 'describe', 'process']),
          ok: z.boolean(),
          status: z.number().int().optional(),
          ms: z.number().nonnegative(),
          detail: z.string(),
        }),
      ),
      at: date,
    })
    .optional(),
});

// Promote and rollback operations (domain/service-operation.ts): the run on the submission
// whose version it makes serve, and its summary on the service record.

const kind = z.enum(['promote', 'rollback']);

const operationRun = z.object({
  id: z.string().min(1),
  kind,
  project: z.string().min(1),
  service: z.string().min(1),
  from: versionRefSchema.optional(),
  to: versionRefSchema.extend({
    submissionId: z.string().min(1),
    revision: z.number().int().positive(),
  }),
  by: actor,
  owner: actor,
  requestId: z.string().min(1),
  phase: z.enum(['starting', 'promoting', 'done', 'failed']),
  start: z.boolean(),
  startOperation: z.string().optional(),
  promoteOperation: z.string().optional(),
  startedAt: date,
  endedAt: date.optional(),
  versionUrl: z.string().optional(),
  failure: z.string().optional(),
});

export const serviceOperation = z.object({
  id: z.string().min(1),
  kind,
  from: z.string().optional(),
  to: z.string().min(1),
  submissionId: z.string().min(1),
  state: z.enum(['running', 'done', 'failed']),
  at: date,
});

const submissionDoc = z
  .object({
    id: z.string().min(1),
    status,
    partner: actor,
    revision: z.number().int().positive(),
    revisions: z.array(revision).min(1),
    thread: z.object({ channel: z.string().min(1), ts: z.string().min(1) }).optional(),
    approval: z
      .object({
        project: z.string().min(1),
        versionLabel: z.string().optional(),
        promote: z.boolean(),
        by: actor,
        at: date,
      })
      .optional(),
    reason: z.string().optional(),
    lastEvent: auditEvent.optional(),
    pipeline: pipelineRun.optional(),
    operation: operationRun.optional(),
    /** Which bot instance drives the pipeline (heartbeats.ts); null when none does. */
    owner: z.string().min(1).nullable().optional(),
    tracking: z.boolean().optional(),
    createdAt: date,
    updatedAt: date,
    auditSeq: z.number().int().nonnegative(),
  })
  .refine((d) => d.revisions.some((r) => r.number === d.revision), {
    message: 'the current revision is missing from revisions',
    path: ['revision'],
  });

const auditDoc = auditEvent.extend({ seq: z.number().int().positive() });

export const requestDoc = z.object({
  requestId: z.string(),
  op: z.enum(['create', 'apply', 'resubmit', 'refusal', 'stall']),
  submissionId: z.string(),
  action: z.string().optional(),
  at: date,
});
export type RequestRecord = z.infer<typeof requestDoc>;

export function invalid(what: string, error: z.ZodError): StoreError {
  const problems = error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`)
    .join('; ');
  return new StoreError('invalid_data', `${what} in the database is not readable: ${problems}`, {
    cause: error,
  });
}

/** A stored submission with the store's bookkeeping (last audit sequence number, owner). */
export interface StoredSubmission {
  submission: Submission;
  auditSeq: number;
  /** The bot instance that drives its pipeline, if any. */
  owner?: string;
}

export function submissionFromDoc(id: string, data: unknown): StoredSubmission {
  const parsed = submissionDoc.safeParse(data);
  if (!parsed.success) throw invalid(`submission ${id}`, parsed.error);
  const { auditSeq, owner, tracking: _tracking, ...submission } = parsed.data;
  return { submission: submission as Submission, auditSeq, ...(owner ? { owner } : {}) };
}

export function submissionToDoc(stored: StoredSubmission): Record<string, unknown> {
  return toFirestoreValue({
    ...stored.submission,
    auditSeq: stored.auditSeq,
    owner: stored.owner,
    schemaVersion: SCHEMA_VERSION,
  }) as Record<string, unknown>;
}

export function auditFromDoc(where: string, data: unknown): AuditEvent {
  const parsed = auditDoc.safeParse(data);
  if (!parsed.success) throw invalid(`audit event ${where}`, parsed.error);
  const { seq: _seq, ...event } = parsed.data;
  return event;
}

export function auditToDoc(event: AuditEvent, seq: number): Record<string, unknown> {
  return toFirestoreValue({ ...event, seq }) as Record<string, unknown>;
}

export function requestFromDoc(where: string, data: unknown): RequestRecord {
  const parsed = requestDoc.safeParse(data);
  if (!parsed.success) throw invalid(`request record ${where}`, parsed.error);
  return parsed.data;
}
