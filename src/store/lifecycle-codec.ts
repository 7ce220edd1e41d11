// How the version lifecycle's parts of a pipeline run are read back from Firestore
// (src/domain/version-lifecycle.ts): housekeeping, room under the version limit, and the
// removal of a version whose deploy was cancelled.
import { z } from 'zod';

const versionRef = z.object({ version: z.string().min(1), submissionId: z.string().optional() });

export const housekeeping = z.object({
  state: z.enum(['working', 'done']),
  stop: z.array(versionRef),
  remove: z.array(versionRef),
  keptServing: z.array(versionRef),
  stopped: z.array(versionRef),
  removed: z.array(versionRef),
  operation: z
    .object({
      name: z.string().min(1),
      version: z.string().min(1),
      kind: z.enum(['stop', 'delete']),
    })
    .optional(),
  skipped: z.string().optional(),
});

export const versionRoom = z.object({
  attempt: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  remove: z.array(versionRef).optional(),
  removed: z.array(versionRef),
  operation: z.object({ name: z.string().min(1), version: z.string().min(1) }).optional(),
  ready: z.boolean().optional(),
});

export const versionRemoval = z.discriminatedUnion('state', [
  z.object({ state: z.enum(['deleting', 'stopping']), operation: z.string().min(1) }),
  z.object({ state: z.literal('to_stop'), detail: z.string() }),
  z.object({
    state: z.enum(['deleted', 'stopped', 'not_created', 'failed']),
    detail: z.string().optional(),
  }),
]);
