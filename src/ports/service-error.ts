import { CodedError } from '../domain/errors.ts';

/**
 * What the Cloud Build, App Engine and Cloud Logging ports reject with. `unavailable` (no
 * answer, or one that says to come back later) is worth trying again; any other code means
 * trying again would not help: the service refused, or the adapter would not make the
 * request (`invalid_build_request`...), and the message says why in the service's words.
 */
export class ServiceError<Code extends string = string> extends CodedError<Code | 'unavailable'> {
  /** The gRPC status code when known (14 UNAVAILABLE, 5 NOT_FOUND, 7 PERMISSION_DENIED...). */
  readonly grpcCode: number | undefined;
  readonly retryable: boolean;
  constructor(code: Code | 'unavailable', message: string, grpcCode?: number) {
    super(code, message);
    this.grpcCode = grpcCode;
    this.retryable = code === 'unavailable';
  }
}

/** An error that trying again would not mend: a refusal, or a request that cannot be made. */
export function isRefusal(error: unknown): error is ServiceError {
  return error instanceof ServiceError && !error.retryable;
}
