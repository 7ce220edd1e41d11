/**
 * A failed call to Cloud Build or App Engine. `unavailable` (UNAVAILABLE,
 * DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, no connection, no answer in time) is worth
 * trying again later; any other code means the service refused for good, and its
 * message says why.
 */
export class ServiceError<Code extends string = string> extends Error {
  readonly code: Code | 'unavailable';
  /** The gRPC status code when known (14 UNAVAILABLE, 5 NOT_FOUND, 7 PERMISSION_DENIED...). */
  readonly grpcCode: number | undefined;
  readonly retryable: boolean;
  constructor(code: Code | 'unavailable', message: string, grpcCode?: number) {
    super(message);
    this.code = code;
    this.grpcCode = grpcCode;
    this.retryable = code === 'unavailable';
  }
}
