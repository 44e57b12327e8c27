// A TCP proxy between a client and the demo server that a test can cut abruptly (a reset, no
// WebSocket close frame), refuse connections through for a while, and restore.
import { createServer, connect } from 'node:net';

/** Forwards 127.0.0.1:<port> to 127.0.0.1:`targetPort`; resolves once listening. */
export async function tcpProxy(targetPort) {
  const pairs = new Set();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) { client.resetAndDestroy(); return; }
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) {
      socket.on('error', end);
      socket.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    /** Resets every connection through the proxy (TCP RST both ways) and refuses new ones. */
    cut() {
      refusing = true;
      for (const pair of [...pairs]) for (const socket of pair) socket.resetAndDestroy();
    },
    /** Stops forwarding what the server sends (it waits in the proxy, lost by a cut); the client's frames still go through. */
    holdDownstream() {
      for (const [client, upstream] of pairs) {
        upstream.unpipe(client);
        upstream.pause();
      }
    },
    /** Lets connections through again. */
    restore() { refusing = false; },
    close() {
      this.cut();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
