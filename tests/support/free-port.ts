/**
 * Test support: ask the OS for a TCP port that is free on 127.0.0.1.
 *
 * The port is free at the moment we close our probe server; another process
 * could take it before the caller binds it, so callers that start a server on
 * it should be ready to retry with a fresh port.
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: could not read the port the OS gave us'));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
