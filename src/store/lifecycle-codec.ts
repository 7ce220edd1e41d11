// How the version lifecycle's parts of a pipeline run are read back from Firestore
// (src/domain/version-lifecycle.ts): housekeeping, room under the version limit, and the
// removal of a version whose deploy was cancelled.
import { z } from 'zod';
import { versionRefSchema } from '../domain/version-lifecycle.ts';

export const housekeeping = z.object({
  state: z.enum(['working', 'done']),
  stop: z.array(versionRefSchema),
  remove: z.array(versionRefSchema),
  keptServing: z.array(versionRefSchema),
  stopped: z.array(versionRefSchema),
  removed: z.array(versionRefSchema),
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
  remove: z.array(versionRefSchema).optional(),
  removed: z.array(versionRefSchema),
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
