// Starts and stops the real Swift demo server (.build/debug/switchboard-demo) for the tests.
// Build it first: `swift build --product switchboard-demo` (Scripts/js-tests.sh does).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const binary = process.env.SWITCHBOARD_DEMO ?? `${root}.build/debug/switchboard-demo`;

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs the demo on `port`, with the command line options `args` (e.g. `['--redis', url]`), and
 * resolves once its banner names the WebSocket url.
 */
export async function startDemo(port, { timeout = 20000, args = [] } = {}) {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run swift build --product switchboard-demo`);
  const child = spawn(binary, args, { env: { ...process.env, SWITCHBOARD_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  // A test process that dies early must not leave the server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the demo printed no banner within ${timeout} ms:\n${output}`)), timeout);
    const fail = (error) => { clearTimeout(timer); child.kill('SIGKILL'); reject(error); };
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('WebSocket: ws://')) { clearTimeout(timer); resolve(); }
    });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.once('exit', (code) => fail(new Error(`the demo exited with ${code} before its banner:\n${output}`)));
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    /** Stops the server (SIGTERM, then SIGKILL after `grace` ms) and resolves when it exited. */
    stop(grace = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), grace);
        child.once('exit', () => { clearTimeout(timer); resolve(); });
        child.kill('SIGTERM');
      });
    },
    /** Kills the server at once, like a crash. */
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}
