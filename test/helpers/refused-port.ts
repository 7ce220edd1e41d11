import { createConnection } from 'node:net';

/**
 * A loopback port that refuses connections for the whole test: port 2, below the kernel's
 * ephemeral range, so no server another test file starts on port 0 can take it (a port
 * bound and released may be handed to one before the test connects), and not one of the
 * Fetch standard's "bad ports" (1, 7, 9, …), which fetch refuses without connecting.
 * Checked, not assumed.
 */
export async function refusedPort(): Promise<number> {
  const port = 2;
  const refused = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
  if (!refused) {
    throw new Error(`127.0.0.1:${port} does not refuse connections; stop what listens there`);
  }
  return port;
}
