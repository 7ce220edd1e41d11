// GET /events: Server-Sent Events, one `tick` per change; the page re-fetches its state.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface EventStreams {
  /** Answers a request with a stream that stays open until the page goes. */
  open(req: IncomingMessage, res: ServerResponse): void;
  /** Tells every open stream that something of `kind` changed. */
  tick(kind: string): void;
  /** Ends every stream. */
  close(): void;
}

export function eventStreams(): EventStreams {
  const streams = new Set<ServerResponse>();
  return {
    open: (req, res) => {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write('retry: 1000\n\n');
      streams.add(res);
      const ping = setInterval(() => res.write(': ping\n\n'), 20_000);
      ping.unref();
      req.on('close', () => {
        clearInterval(ping);
        streams.delete(res);
      });
    },
    tick: (kind) => {
      for (const stream of streams) stream.write(`data: ${JSON.stringify({ kind })}\n\n`);
    },
    close: () => {
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}
