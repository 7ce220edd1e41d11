/**
 * What the Cloud Build, App Engine Admin and Cloud Logging stand-ins share: a loopback
 * HTTP server, reading a request, Google's JSON error shape, the record of requests, and
 * scripted faults (UNAVAILABLE, PERMISSION_DENIED, or no answer at all).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../lib/listen.ts';

/** Which requests a scripted fault applies to; absent fields match anything. */
export interface RequestMatch {
  method?: string;
  /** A path prefix (`/v1/apps/p1/operations/`) or a pattern. */
  path?: string | RegExp;
}

export interface RecordedRequest {
  method: string;
  /** The URL path, decoded: `/v1/projects/p1/builds/abc:cancel`. */
  path: string;
  /** Query parameters, decoded: `{ $alt: 'json;enum-encoding=int' }`. */
  query: Record<string, string>;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** The HTTP status answered (0 for a stalled request, never answered). */
  status: number;
  time: number;
}

/** A Google JSON API error: `{ error: { code, message, status } }` with that HTTP code. */
export class ApiError extends Error {
  readonly httpStatus: number;
  readonly status: string;
  constructor(httpStatus: number, status: string, message: string) {
    super(message);
    this.httpStatus = httpStatus;
    this.status = status;
  }
}

export const notFound = (message: string) => new ApiError(404, 'NOT_FOUND', message);
export const invalid = (message: string) => new ApiError(400, 'INVALID_ARGUMENT', message);
export const alreadyExists = (message: string) => new ApiError(409, 'ALREADY_EXISTS', message);
export const unavailable = () =>
  new ApiError(503, 'UNAVAILABLE', 'The service is currently unavailable.');
/** What Google answers when the caller's service account lacks the role for the call. */
export const permissionDenied = () =>
  new ApiError(403, 'PERMISSION_DENIED', 'The caller does not have permission');

export function matches(match: RequestMatch, method: string, path: string): boolean {
  if (match.method !== undefined && match.method !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? path.startsWith(match.path) : match.path.test(path);
}

export type FaultKind = 'unavailable' | 'denied' | 'stall';

/** Scripted faults: the next `times` matching requests answer 503 or 403, or never answer. */
export class Faults {
  readonly #pending: { kind: FaultKind; times: number; match: RequestMatch }[] = [];

  add(kind: FaultKind, times: number, match: RequestMatch = {}): void {
    this.#pending.push({ kind, times, match });
  }

  /** The fault this request meets, used up by it; undefined when none applies. */
  take(method: string, path: string): FaultKind | undefined {
    const fault = this.#pending.find((f) => f.times > 0 && matches(f.match, method, path));
    if (!fault) return undefined;
    fault.times -= 1;
    return fault.kind;
  }

  clear(): void {
    this.#pending.length = 0;
  }
}

/** How a test scripts a stand-in's faults. */
export interface FaultControls {
  /** The next `times` requests (matching `match`) answer 503 UNAVAILABLE. */
  unavailable(times: number, match?: RequestMatch): void;
  /**
   * The next `times` requests (matching `match`) answer 403 PERMISSION_DENIED, as for a
   * service account without the role.
   */
  deny(times: number, match?: RequestMatch): void;
  /** The next `times` requests (matching `match`) get no answer while the stand-in runs. */
  stall(times: number, match?: RequestMatch): void;
}

export function faultControls(faults: Faults): FaultControls {
  return {
    unavailable: (times, match) => faults.add('unavailable', times, match),
    deny: (times, match) => faults.add('denied', times, match),
    stall: (times, match) => faults.add('stall', times, match),
  };
}

/** A request to a stand-in, read whole. */
export interface IncomingCall {
  url: URL;
  method: string;
  /** The URL path, decoded. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** There is a body and it is not JSON (Google answers 400 INVALID_ARGUMENT). */
  badJson: boolean;
}

async function readCall(req: IncomingMessage): Promise<IncomingCall> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  let badJson = false;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
    badJson = true;
  }
  return {
    url,
    method: req.method ?? 'GET',
    path: decodeURIComponent(url.pathname),
    query: Object.fromEntries(url.searchParams),
    body,
    badJson,
  };
}

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Stops listening and drops open connections (stalled requests included). */
  close(): Promise<void>;
}

/**
 * Serves `handle` on 127.0.0.1 (`port` 0 or absent: a free one); a handler that throws
 * answers 500 INTERNAL in Google's error shape.
 */
export async function serveOnLoopback(
  port: number | undefined,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      res.writeHead(500, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify({ error: { code: 500, message: String(error), status: 'INTERNAL' } }));
    });
  });
  // Google's front ends keep an idle connection 610 s ("Request distribution for external
  // Application Load Balancers", cloud.google.com/load-balancing/docs/https/request-distribution);
  // Node's 5 s default closed pooled connections under a client reusing them (ECONNRESET).
  server.keepAliveTimeout = 610_000;
  await listen(server, port ?? 0, '127.0.0.1');
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface GoogleApiServerOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Stamps each recorded request. */
  clock: () => number;
  /** Every request goes here, refused ones too, its status set once answered. */
  requests: RecordedRequest[];
  faults: Faults;
  /** The JSON answer to a request; throws an ApiError to refuse it. */
  answer(call: IncomingCall): unknown;
}

/**
 * A Google JSON API on loopback: each request is recorded, meets its scripted fault,
 * then gets `answer`'s JSON, or Google's error shape for an ApiError (400 for a body that
 * is not JSON; 500 INTERNAL for anything else thrown).
 */
export function serveGoogleApi(options: GoogleApiServerOptions): Promise<LoopbackServer> {
  return serveOnLoopback(options.port, async (req, res) => {
    const call = await readCall(req);
    const { method, path, query, body } = call;
    const request: RecordedRequest = {
      method,
      path,
      query,
      body,
      status: 0,
      time: options.clock(),
    };
    options.requests.push(request);
    const fault = options.faults.take(method, path);
    if (fault === 'stall') return; // never answered; close() drops the connection
    let status = 200;
    let json: unknown;
    try {
      if (fault === 'unavailable') throw unavailable();
      if (fault === 'denied') throw permissionDenied();
      if (call.badJson) throw invalid('Invalid JSON payload received.');
      json = options.answer(call);
    } catch (error) {
      const refusal =
        error instanceof ApiError
          ? error
          : new ApiError(500, 'INTERNAL', `stand-in: ${String(error)}`);
      status = refusal.httpStatus;
      json = { error: { code: status, message: refusal.message, status: refusal.status } };
    }
    request.status = status;
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(json));
  });
}
