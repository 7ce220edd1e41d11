// The live check behind LiveCheckPort (src/ports/live-check.ts): plain fetch to the
// deployed version's own URL, each request with its deadline (AbortSignal.timeout).
// Health first (nothing else can pass without it), then describe, then a process call
// with a generated tile, as the Playground itself calls a service. Whatever the version
// does is a probe's result, never a rejection: the pipeline reports it.
import type { LiveCheck, LiveProbe } from '../domain/results.ts';
import type { LiveCheckPort, LiveCheckTarget } from '../ports/live-check.ts';
import { resolutionAt, tilePng } from './test-tile.ts';

export interface HttpLiveCheckOptions {
  /** Deadline of the health and describe requests. Default 10 s. */
  timeoutMs?: number;
  /** Deadline of the process request (the model runs). Default 60 s. */
  processTimeoutMs?: number;
}

/** Characters of a body quoted in a probe's detail. */
const EXCERPT_MAX = 200;

type Reading = { ok: true; detail: string } | { ok: false; detail: string };

export class HttpLiveCheck implements LiveCheckPort {
  readonly #timeoutMs: number;
  readonly #processTimeoutMs: number;

  constructor(options: HttpLiveCheckOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#processTimeoutMs = options.processTimeoutMs ?? 60_000;
  }

  async check(target: LiveCheckTarget): Promise<LiveCheck> {
    const base = target.url.replace(/\/+$/, '');
    const probes: LiveProbe[] = [];
    // The wrapper answers health with a plain `OK`: any 200 passes.
    const health = await this.#probe(
      'health',
      `${base}/api/v1/health`,
      {},
      this.#timeoutMs,
      (text) => ({
        ok: true,
        detail: excerpt(text),
      }),
    );
    probes.push(health);
    if (health.ok) {
      probes.push(
        await this.#probe('describe', `${base}/api/v1/describe`, {}, this.#timeoutMs, readDescribe),
      );
      const size = 256 + 2 * target.padding;
      const body = JSON.stringify({
        resolution: resolutionAt(target.zoom),
        tiles: [tilePng(size).toString('base64')],
      });
      const post = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body };
      probes.push(
        await this.#probe(
          'process',
          `${base}/api/v1/process`,
          post,
          this.#processTimeoutMs,
          readProcess,
        ),
      );
    }
    return { url: target.url, ok: probes.every((probe) => probe.ok), probes, at: new Date() };
  }

  async #probe(
    name: LiveProbe['name'],
    url: string,
    init: RequestInit,
    timeoutMs: number,
    read: (text: string) => Reading,
  ): Promise<LiveProbe> {
    const started = performance.now();
    const took = () => Math.round(performance.now() - started);
    let status: number | undefined;
    try {
      const response = await fetch(url, {
        ...init,
        headers: { Accept: 'application/json', ...init.headers },
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      const text = await response.text();
      const ms = took();
      if (!response.ok) {
        return { name, ok: false, status, ms, detail: `HTTP ${status}: ${excerpt(text)}` };
      }
      return { name, status, ms, ...read(text) };
    } catch (error) {
      return {
        name,
        ok: false,
        ...(status ? { status } : {}),
        ms: took(),
        detail: noAnswer(error, timeoutMs),
      };
    }
  }
}

/** The body as JSON, or why it is not: `HTTP 200, not JSON: <html>…`. */
function parsed(text: string): { json: unknown } | { problem: string } {
  try {
    return { json: JSON.parse(text) };
  } catch {
    return { problem: `HTTP 200, not JSON: ${excerpt(text)}` };
  }
}

function readDescribe(text: string): Reading {
  const body = parsed(text);
  if ('problem' in body) return { ok: false, detail: body.problem };
  const json = body.json;
  if (!isObject(json)) return { ok: false, detail: `not a JSON object: ${excerpt(text)}` };
  return typeof json.name === 'string'
    ? { ok: true, detail: `name ${json.name}` }
    : { ok: true, detail: 'no name' };
}

/** A FeatureCollection at the root, or under `prediction` (the seed's shape). */
function readProcess(text: string): Reading {
  const body = parsed(text);
  if ('problem' in body) return { ok: false, detail: body.problem };
  const json = body.json;
  const collection = isObject(json) && isObject(json.prediction) ? json.prediction : json;
  if (!isObject(collection) || !Array.isArray(collection.features)) {
    return { ok: false, detail: `no FeatureCollection: ${excerpt(text)}` };
  }
  const count = collection.features.length;
  return { ok: true, detail: `${count} ${count === 1 ? 'feature' : 'features'}` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > EXCERPT_MAX ? `${flat.slice(0, EXCERPT_MAX)}…` : flat;
}

/** Why there was no (whole) answer: the deadline, or the network's own words. */
function noAnswer(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const why =
    cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `no answer: ${why}`;
}
