/** Firestore / gRPC / network failures -> coded StoreErrors the Slack layer can explain. */

import { GRPC, isNetworkError } from '../domain/grpc-status.ts';
import { TransitionError } from '../domain/status.ts';
import { StoreError } from '../ports/store.ts';

export const UNREACHABLE = 'could not reach the database';

/** The gRPC status code a Firestore error carries, if any. */
export function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

function contention(what: string, error: unknown): StoreError {
  return new StoreError(
    'conflict',
    `too many simultaneous changes during ${what}; nothing was saved, try again`,
    { cause: error },
  );
}

/** The StoreError for any failure; `what` names the operation for messages ("create", "PG-0042"). */
export function toStoreError(error: unknown, what: string): StoreError {
  if (error instanceof StoreError) return error;
  if (error instanceof TransitionError) {
    return new StoreError('invalid_transition', error.message, { cause: error });
  }
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case GRPC.UNAVAILABLE:
    case GRPC.DEADLINE_EXCEEDED:
    case GRPC.CANCELLED:
    case GRPC.INTERNAL:
      return new StoreError('unavailable', UNREACHABLE, { cause: error });
    case GRPC.RESOURCE_EXHAUSTED:
      return new StoreError('unavailable', `${UNREACHABLE} (it is overloaded or over quota)`, {
        cause: error,
      });
    case GRPC.PERMISSION_DENIED:
    case GRPC.UNAUTHENTICATED:
      return new StoreError(
        'unavailable',
        `${UNREACHABLE} (access denied: the service account needs the Cloud Datastore User role)`,
        { cause: error },
      );
    case GRPC.NOT_FOUND:
      // Document reads never fail with NOT_FOUND; the database itself is missing.
      return new StoreError(
        'unavailable',
        `${UNREACHABLE} (no Firestore database in this project: create one in native mode)`,
        { cause: error },
      );
    case GRPC.ABORTED:
      return contention(what, error);
    case GRPC.INVALID_ARGUMENT:
      // A transaction the database closed before its commit (Firestore: "expired or is no
      // longer valid"; its emulator under contention: "Transaction is invalid or closed",
      // firebase-tools#4473): nothing of it was saved. Any other INVALID_ARGUMENT is ours.
      if (!/transaction.*(expired|no longer valid|invalid or closed)/i.test(message)) break;
      return contention(what, error);
    case GRPC.ALREADY_EXISTS:
      return new StoreError(
        'conflict',
        `${what} collided with an existing record; nothing was saved`,
        {
          cause: error,
        },
      );
    case GRPC.FAILED_PRECONDITION:
      return new StoreError(
        'internal',
        `${what} failed: ${message} (missing index? see firestore.indexes.json)`,
        {
          cause: error,
        },
      );
  }
  if (isNetworkError(code)) {
    return new StoreError('unavailable', UNREACHABLE, { cause: error });
  }
  if (/default credentials|Could not refresh access token|getaddrinfo/i.test(message)) {
    return new StoreError('unavailable', `${UNREACHABLE} (${message.split('.')[0]})`, {
      cause: error,
    });
  }
  return new StoreError('internal', `${what} failed: ${message}`, { cause: error });
}
