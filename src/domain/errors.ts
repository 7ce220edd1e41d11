/**
 * The one error shape of the bot: a stable `code` that code branches on, and a `message`
 * written for people. Configuration, the store, the Google services and the requests the
 * bot builds for them all throw a subclass; `advice.ts` turns codes into what to do next.
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    // StoreError, AppEngineError, ConfigError... in logs and stack traces.
    this.name = new.target.name;
    this.code = code;
  }
}

/** Whether `error` is a CodedError, with `code` when one is given. */
export function hasCode(error: unknown, code?: string): error is CodedError {
  return error instanceof CodedError && (code === undefined || error.code === code);
}
