// The page's HTTP plumbing: JSON in and out, and errors that answer with a status and a code.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonObject } from '../slack-api/types.ts';

const BODY_MAX = 1_000_000;

/** A refusal: answered as `{ok: false, error: code}` with `status`. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, code: string) {
    super(code);
    this.status = status;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

export async function readJson(req: IncomingMessage): Promise<JsonObject> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_MAX) throw new HttpError(413, 'too_large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    const value: unknown = JSON.parse(text || '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not an object');
    return value as JsonObject;
  } catch {
    throw new HttpError(400, 'invalid_json');
  }
}

export function str(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' ? value : undefined;
}

export function need(body: JsonObject, key: string): string {
  const value = str(body, key);
  if (value === undefined || value === '') throw new HttpError(400, `missing_${key}`);
  return value;
}
