import { createServer } from 'node:net';

/** Asks the OS for a free loopback port (on `address`: 127.0.0.1 or ::1). Racy by nature: callers retry when the bind later fails. */
export function freePort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
