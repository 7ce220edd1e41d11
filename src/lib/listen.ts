import type { Server } from 'node:http';

/** Starts `server` on `port` (0: any free one), on `host` when given; rejects when it cannot. */
export function listen(server: Server, port: number, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (host === undefined) server.listen(port, () => resolve());
    else server.listen(port, host, () => resolve());
  });
}
