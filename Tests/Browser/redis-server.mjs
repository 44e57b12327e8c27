// Starts and stops a redis-server of a test's own: a free loopback port, no persistence
// (`--save "" --appendonly no`), a temporary folder for its working directory.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../Clients/JavaScript/test/support/demo-server.js';

const binary = process.env.REDIS_SERVER ?? 'redis-server';

/** Whether redis-server can be run. */
export function redisServerInstalled() {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Answers whether `port` on 127.0.0.1 replies +PONG to PING. */
function pings(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** Starts redis-server and resolves once it answers PING (at most `timeout` ms). */
export async function startRedis({ timeout = 10000 } = {}) {
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), 'switchboard-redis-'));
  const child = spawn(binary, [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  // A test process that dies early must not leave the server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const remove = () => {
    process.off('exit', killOnExit);
    rmSync(folder, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeout;
  while (!(await pings(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      remove();
      throw new Error(`redis-server on port ${port} did not answer PING within ${timeout} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** Stops the server and removes its folder. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      remove();
    },
  };
}
