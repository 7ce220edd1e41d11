// App Engine's serving side, on loopback: where the stand-in's versions and services
// answer HTTP, for the local workspace. App Engine gives each service and each version a
// host name of its own (`SERVICE-dot-APP…appspot.com`, `VERSION-dot-SERVICE-dot-APP…`);
// here they share one port and are told apart by the path, which is stripped before the
// request reaches the version's instances:
//
//   /apps/APP/services/SERVICE/…                   by the service's traffic split (split.ts)
//   /apps/APP/services/SERVICE/versions/VERSION/…  that version
//
// One port rather than one per service because the stand-in's hooks answer synchronously
// and a port is only known once listening; the wrapped service's routes are all under
// `/api/v1/`, so a path prefix changes nothing for it. A version answers 503 while it is
// STOPPED (it has no instances) and again once started; an unknown service or version is 404.
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { listen } from '../../lib/listen.ts';
import { type AppEngineApiStandIn, imageOf, type VersionToCreate } from './server.ts';
import { shardKey, versionAt } from './split.ts';

export interface ServingOptions {
  appEngine: AppEngineApiStandIn;
  /**
   * Where the version's instances answer (`http://127.0.0.1:PORT`); undefined when nothing
   * runs it on this machine (a simulated build).
   */
  instancesOf(version: VersionToCreate): string | undefined;
  /** 0 or absent: a free port. */
  port?: number;
}

export interface LocalServing {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The service's URL, served by its traffic split (no trailing slash, as versionUrl). */
  serviceUrl(app: string, service: string): string;
  /** The version's own URL. */
  versionUrl(version: Pick<VersionToCreate, 'app' | 'service' | 'versionId'>): string;
  close(): Promise<void>;
}

const ROUTE = /^\/apps\/([^/]+)\/services\/([^/]+)(?:\/versions\/([^/]+))?(\/.*)?$/;

export async function startLocalServing(options: ServingOptions): Promise<LocalServing> {
  const { appEngine } = options;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = ROUTE.exec(url.pathname);
    if (!route) return refuse(res, 404, `Not found: ${url.pathname}`);
    // The ids as App Engine names them; the rest of the path goes on as it came.
    const [app = '', service = '', pinned] = route.slice(1, 4).map(decoded);
    const rest = route[4] ?? '/';
    const split = appEngine.split(app, service);
    if (!split) return refuse(res, 404, `The service ${service} does not exist in ${app}.`);
    const versionId =
      pinned ??
      versionAt(
        split.allocations,
        shardKey(split.shardBy, {
          ip: req.socket.remoteAddress ?? '',
          ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
        }),
      );
    const version =
      versionId === undefined ? undefined : appEngine.version(app, service, versionId);
    if (!version) {
      return pinned === undefined
        ? refuse(res, 503, `No serving version: ${service} has no traffic allocated.`)
        : refuse(res, 404, `The version ${pinned} does not exist in ${service}.`);
    }
    if (version.servingStatus === 'STOPPED') {
      return refuse(res, 503, `No serving version: ${version.id} of ${service} is stopped.`);
    }
    const image = imageOf(version);
    const instances = options.instancesOf({
      app,
      service,
      versionId: String(version.id),
      ...(image === undefined ? {} : { image }),
    });
    if (!instances) {
      return refuse(
        res,
        503,
        `No instances: ${version.id} of ${service} runs nowhere here (its build was simulated).`,
      );
    }
    forward(req, res, new URL(`${rest}${url.search}`, instances));
  };

  const server = createServer(handle);
  await listen(server, options.port ?? 0, '127.0.0.1');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const servicePath = (app: string, service: string) =>
    `${base}/apps/${encodeURIComponent(app)}/services/${encodeURIComponent(service)}`;
  return {
    url: base,
    serviceUrl: servicePath,
    versionUrl: ({ app, service, versionId }) =>
      `${servicePath(app, service)}/versions/${encodeURIComponent(versionId)}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A path segment decoded; one that is not valid percent-encoding stays as it is. */
function decoded(segment: string | undefined): string | undefined {
  try {
    return segment === undefined ? undefined : decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

/** Passes the request on to `target` and its answer back; 502 when the instances fail. */
function forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const upstream = request(target, {
    method: req.method,
    headers: { ...req.headers, host: target.host },
  });
  upstream.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    pipeline(answer, res, () => {});
  });
  upstream.on('error', (error) => {
    if (res.headersSent) res.destroy();
    else refuse(res, 502, `The version's instances did not answer: ${error.message}`);
  });
  pipeline(req, upstream, () => {});
}
