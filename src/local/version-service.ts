// A stand-in for what a deployed version serves when no real wrapped service runs behind
// it (tests; simulated builds in the local workspace): the Tile Geo Process endpoints the
// bot's live check calls, answering as a healthy wrapper does, or as scripted (an error
// status, a body that is not JSON, no answer in time). Every request is recorded.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveOnLoopback } from './google-api.ts';

export type Endpoint = 'health' | 'describe' | 'openapi' | 'process';

/** How one endpoint answers instead of the healthy default; every field optional. */
export interface EndpointScript {
  status?: number;
  /** The body as sent (not JSON-encoded): lets a test send what is not JSON. */
  body?: string;
  /** Waits this long before answering (a slow model, a hung service). */
  delayMs?: number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  /** The body as text ('' when none). */
  body: string;
}

export interface VersionServiceStandIn {
  /** `http://127.0.0.1:PORT`: what a version's `versionUrl` can be. */
  url: string;
  /** Scripts an endpoint until `heal()`. */
  answer(endpoint: Endpoint, script: EndpointScript): void;
  /** Back to healthy answers everywhere. */
  heal(): void;
  /** The requests received, in order. */
  requests(): ReceivedRequest[];
  close(): Promise<void>;
}

/** What a healthy wrapper answers (src/bundle/templates/app.py's shapes). */
function healthy(endpoint: Endpoint, name: string): { status: number; body: string } {
  const json = (value: unknown) => ({ status: 200, body: JSON.stringify(value) });
  switch (endpoint) {
    case 'health':
      return { status: 200, body: 'OK' };
    case 'describe':
      return json({ name, title: name, _links: { self: { href: '/api/v1/describe' } } });
    case 'openapi':
      return { status: 200, body: 'openapi: 3.0.0\n' };
    case 'process':
      return json({
        type: 'FeatureCollection',
        features: [1, 2, 3].map((i) => ({
          type: 'Feature',
          properties: { confidence: 0.9 },
          geometry: { type: 'Point', coordinates: [10 * i, 10 * i] },
        })),
      });
  }
}

const ROUTES: Record<string, Endpoint> = {
  'GET /api/v1/health': 'health',
  'GET /api/v1/describe': 'describe',
  'GET /api/v1/openapi': 'openapi',
  'POST /api/v1/process': 'process',
};

export async function startVersionService(
  options: { name?: string } = {},
): Promise<VersionServiceStandIn> {
  const name = options.name ?? 'simulated-model';
  const scripts = new Map<Endpoint, EndpointScript>();
  const received: ReceivedRequest[] = [];
  const server = await serveOnLoopback(0, async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ method: req.method ?? 'GET', path, body: Buffer.concat(chunks).toString() });
    const endpoint = ROUTES[`${req.method} ${path}`];
    if (!endpoint) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `no route ${req.method} ${path}` }));
      return;
    }
    const script = scripts.get(endpoint) ?? {};
    if (script.delayMs) await new Promise((resolve) => setTimeout(resolve, script.delayMs));
    const answer = healthy(endpoint, name);
    if (res.destroyed) return;
    res.writeHead(script.status ?? answer.status, { 'content-type': 'application/json' });
    res.end(script.body ?? answer.body);
  });
  return {
    url: server.url,
    answer: (endpoint, script) => {
      scripts.set(endpoint, script);
    },
    heal: () => scripts.clear(),
    requests: () => [...received],
    close: () => server.close(),
  };
}
