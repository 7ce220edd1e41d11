/**
 * The outbox inside a submission document: what it owes in Slack, written in the same
 * transaction as the change that owes it.
 *
 *   outbox        {key: entry}: every message of the submission, pending, sent or failed;
 *                 sent ones stay (their `ts`, and so a key is never said twice)
 *   outboxSeq     the last sequence number handed out: delivery order
 *   delivering    true while an entry is pending (the deliverer's equality query)
 *   undeliverable true once an entry failed for good (shown to approvers)
 *   outboxLease   {owner, until}: which instance delivers the submission's messages now
 *
 * Inline rather than a collection because a submission owes few messages (a handful per
 * revision and attempt), the change that owes them already writes this document, and
 * order and "never twice" are then one document's business.
 */
import { Timestamp } from '@google-cloud/firestore';
import { z } from 'zod';
import { coalesces, type MessageIntent, messageKey } from '../ports/notifier.ts';
import type { DeliveryReport, OutboxEntry } from '../ports/store.ts';
import { StoreError } from '../ports/store.ts';
import { toFirestoreValue } from './codec.ts';

const date = z.instanceof(Timestamp).transform((t) => t.toDate());
const ref = z.object({ channel: z.string(), ts: z.string() });
const intent = z.custom<MessageIntent>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string',
);
const entry = z.object({
  key: z.string(),
  intent,
  seq: z.number().int(),
  version: z.number().int().nonnegative().default(0),
  state: z.enum(['pending', 'sent', 'failed']),
  tries: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative().default(0),
  notBefore: date.optional(),
  ref: ref.optional(),
  sentAt: date.optional(),
  error: z.string().optional(),
  advice: z.string().optional(),
});
const outboxDoc = z.object({
  outbox: z.record(z.string(), entry).default({}),
  outboxSeq: z.number().int().nonnegative().default(0),
  outboxLease: z.object({ owner: z.string(), until: date }).optional(),
});

export interface StoredOutbox {
  entries: Record<string, OutboxEntry>;
  seq: number;
  lease?: { owner: string; until: Date };
}

export function outboxFromDoc(id: string, data: unknown): StoredOutbox {
  const parsed = outboxDoc.safeParse(data);
  if (!parsed.success) {
    throw new StoreError('invalid_data', `the outbox of ${id}: ${parsed.error.message}`);
  }
  const { outbox, outboxSeq, outboxLease } = parsed.data;
  return { entries: outbox, seq: outboxSeq, ...(outboxLease ? { lease: outboxLease } : {}) };
}

/** Entries in delivery order. */
export function inOrder(outbox: StoredOutbox): OutboxEntry[] {
  return Object.values(outbox.entries).sort((a, b) => a.seq - b.seq);
}

/** The document fields that store `outbox` (with its flags), ready for `tx.update`. */
function fieldsOf(outbox: StoredOutbox): Record<string, unknown> {
  const entries = Object.values(outbox.entries);
  return toFirestoreValue({
    outbox: outbox.entries,
    outboxSeq: outbox.seq,
    delivering: entries.some((e) => e.state === 'pending'),
    undeliverable: entries.some((e) => e.state === 'failed'),
  }) as Record<string, unknown>;
}

/**
 * Adds the messages a change owes, after everything owed before. A key already there is
 * not said again, except an intent that stands for a message's newest state (root,
 * status): still pending, it keeps its place (it will show the newest state); already
 * sent, it is pending again at the end of the queue.
 */
export function enqueue(
  outbox: StoredOutbox,
  revision: number,
  intents: readonly MessageIntent[],
): Record<string, unknown> | undefined {
  if (intents.length === 0) return undefined;
  const entries = { ...outbox.entries };
  let seq = outbox.seq;
  for (const intent of intents) {
    const key = messageKey(revision, intent);
    const existing = entries[key];
    if (existing && !coalesces(intent)) continue;
    if (existing?.state === 'pending') {
      entries[key] = { ...existing, intent, version: existing.version + 1 };
      continue;
    }
    seq += 1;
    entries[key] = existing
      ? {
          ...existing,
          intent,
          seq,
          version: existing.version + 1,
          state: 'pending',
          tries: 0,
          failures: 0,
          error: undefined,
          advice: undefined,
        }
      : { key, intent, seq, version: 0, state: 'pending', tries: 0, failures: 0 };
  }
  return fieldsOf({ ...outbox, entries, seq });
}

/** The entry after a delivery report; undefined when the entry is gone. */
export function report(
  outbox: StoredOutbox,
  key: string,
  what: DeliveryReport,
  now: Date,
): Record<string, unknown> | undefined {
  const current = outbox.entries[key];
  if (!current) return undefined;
  let next: OutboxEntry;
  switch (what.kind) {
    case 'trying':
      next = { ...current, tries: current.tries + 1 };
      break;
    case 'sent': {
      // Enqueued again while it was being sent: stays pending, with the ts for the update.
      const newer = current.version > what.version;
      next = {
        ...current,
        ...(what.ref ? { ref: what.ref } : {}),
        state: newer ? 'pending' : 'sent',
        sentAt: now,
        tries: newer ? 0 : current.tries,
        failures: 0,
        notBefore: undefined,
        error: undefined,
        advice: undefined,
      };
      break;
    }
    case 'retry':
      next = {
        ...current,
        notBefore: what.notBefore,
        failures: current.failures + 1,
        error: what.error,
      };
      break;
    case 'failed':
      next = { ...current, state: 'failed', error: what.error, advice: what.advice };
      break;
  }
  return fieldsOf({ ...outbox, entries: { ...outbox.entries, [key]: next } });
}

/**
 * The document field of messages held back until the submission's image is resolved (the
 * review post shows the digest): written with a change stored `imagePending`, moved to
 * the outbox by the change that records the image.
 */
export const HELD_FOR_IMAGE = 'heldForImage';

const heldDoc = z.object({ [HELD_FOR_IMAGE]: z.array(intent).optional() });

/** The messages held for the image, or undefined when the document holds none. */
export function heldForImage(id: string, data: unknown): MessageIntent[] | undefined {
  const parsed = heldDoc.safeParse(data);
  if (!parsed.success) {
    throw new StoreError('invalid_data', `the held messages of ${id}: ${parsed.error.message}`);
  }
  return parsed.data[HELD_FOR_IMAGE];
}
