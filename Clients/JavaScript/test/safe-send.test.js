// safeSendWebSocket: every result text, on real sockets to the demo server and on doubles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { safeSendWebSocket, encodeFrame, SUBPROTOCOL } from '../switchboard.js';
import { startDemo, freePort } from './support/demo-server.js';
import { FakeSocket } from './support/fake-socket.js';

let demo;
before(async () => { demo = await startDemo(await freePort()); });
after(async () => { await demo?.stop(); });

const message = (text) => encodeFrame({ kind: 'message', id: 0, url: '/typing', data: text });
const realSocket = () => new WebSocket(`${demo.url}?token=demo-token`, SUBPROTOCOL);
const opened = (socket) => new Promise((resolve, reject) => {
  socket.addEventListener('open', resolve, { once: true });
  socket.addEventListener('error', reject, { once: true });
});
const rejection = (promise) => promise.then((value) => assert.fail(`resolved with ${value}`), (error) => error.message);

test('no client: "WebSocket client not initialized"', async () => {
  assert.equal(await rejection(safeSendWebSocket(null, 'x')), 'WebSocket client not initialized');
  assert.equal(await rejection(safeSendWebSocket(undefined, 'x')), 'WebSocket client not initialized');
});

test('empty or null message: "Message is empty or null"', async () => {
  const socket = new FakeSocket();
  for (const empty of [null, undefined, '', new Uint8Array(0), new ArrayBuffer(0)]) {
    assert.equal(await rejection(safeSendWebSocket(socket, empty)), 'Message is empty or null');
  }
});

test('an open socket sends at once: "Message sent successfully"', async () => {
  const socket = realSocket();
  await opened(socket);
  assert.equal(await safeSendWebSocket(socket, message('{"n":1}')), 'Message sent successfully');
  socket.close();
});

test('a send that throws on an open socket rejects with "Failed to send message: <reason>"', async () => {
  const socket = new FakeSocket();
  socket.open();
  socket.failSends = true;
  assert.equal(await rejection(safeSendWebSocket(socket, 'x')), 'Failed to send message: send failed');
  const odd = { readyState: 7, send() {} };
  assert.equal(await rejection(safeSendWebSocket(odd, 'x')), 'WebSocket is in an unknown state (7) - cannot send message');
});

test('a closing and a closed socket refuse', async () => {
  const socket = realSocket();
  await opened(socket);
  socket.close();
  assert.equal(socket.readyState, WebSocket.CLOSING);
  assert.equal(await rejection(safeSendWebSocket(socket, message('{}'))), 'WebSocket is CLOSING - cannot send message');
  await new Promise((resolve) => socket.addEventListener('close', resolve, { once: true }));
  assert.equal(await rejection(safeSendWebSocket(socket, message('{}'))), 'WebSocket is CLOSED - cannot send message');
});

test('a connecting socket with queuing disabled refuses', async () => {
  const socket = realSocket();
  assert.equal(socket.readyState, WebSocket.CONNECTING);
  assert.equal(await rejection(safeSendWebSocket(socket, message('{}'), { queue: false })), 'WebSocket is CONNECTING and queuing is disabled');
  await opened(socket);
  socket.close();
});

test('one message queued while connecting: "Flushed 1 queued message(s)"', async () => {
  const socket = realSocket();
  assert.equal(await safeSendWebSocket(socket, message('{"n":1}')), 'Flushed 1 queued message(s)');
  socket.close();
});

test('three messages queued while connecting are flushed in order: "Flushed 3 queued messages"', async () => {
  const socket = new FakeSocket();
  const results = ['a', 'b', 'c'].map((text) => safeSendWebSocket(socket, text));
  socket.open();
  assert.deepEqual(await Promise.all(results), Array(3).fill('Flushed 3 queued messages'));
  assert.deepEqual(socket.sent, ['a', 'b', 'c']);

  const real = realSocket();
  const realResults = [1, 2, 3].map((n) => safeSendWebSocket(real, message(`{"n":${n}}`)));
  assert.deepEqual(await Promise.all(realResults), Array(3).fill('Flushed 3 queued messages'));
  real.close();
});

test('a failed send during the flush rejects every queued caller: "Flushed 2/3 messages (1 failed)"', async () => {
  const socket = new FakeSocket();
  const originalSend = socket.send.bind(socket);
  socket.send = (data) => { if (data === 'b') throw new Error('boom'); originalSend(data); };
  const results = ['a', 'b', 'c'].map((text) => rejection(safeSendWebSocket(socket, text)));
  socket.open();
  assert.deepEqual(await Promise.all(results), Array(3).fill('Flushed 2/3 messages (1 failed)'));
  assert.deepEqual(socket.sent, ['a', 'c']);
});

test('one open listener per socket, added once, and one timer for everything queued together', async () => {
  const socket = new FakeSocket();
  let listeners = 0;
  const add = socket.addEventListener.bind(socket);
  socket.addEventListener = (type, fn, options) => { if (type === 'open') listeners += 1; add(type, fn, options); };
  const first = rejection(safeSendWebSocket(socket, 'a', { timeout: 30 }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = rejection(safeSendWebSocket(socket, 'b', { timeout: 1000 }));
  const started = Date.now();
  assert.deepEqual(await Promise.all([first, second]), Array(2).fill('Timeout waiting for WebSocket to open (30ms)'));
  assert.ok(Date.now() - started < 500, 'the second item shares the first item\'s timer');
  const third = safeSendWebSocket(socket, 'c');
  socket.open();
  assert.equal(await third, 'Flushed 1 queued message(s)');
  assert.equal(listeners, 1);
  assert.deepEqual(socket.sent, ['c'], 'timed-out messages are never sent');
});

test('a socket that never opens: "Timeout waiting for WebSocket to open (<timeout>ms)"', async (t) => {
  // A TCP server that accepts and never answers the handshake keeps a real socket CONNECTING.
  const connections = new Set();
  const silent = createServer((connection) => connections.add(connection));
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => {
    for (const connection of connections) connection.destroy();
    silent.close(resolve);
  }));
  const socket = new WebSocket(`ws://127.0.0.1:${silent.address().port}/ws`);
  socket.addEventListener('error', () => {});
  const results = [1, 2].map(() => rejection(safeSendWebSocket(socket, 'x', { timeout: 150 })));
  assert.deepEqual(await Promise.all(results), Array(2).fill('Timeout waiting for WebSocket to open (150ms)'));
  socket.close();
});
