// SwitchboardClient against the real Swift demo server (Examples/Demo): requests, typed errors,
// pushes, rooms, credential refresh, and a reconnect across a server restart on the same port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardClient, StatusError, TimeoutError, HandshakeRefusedError } from '../switchboard.js';
import { startDemo, freePort } from './support/demo-server.js';
import { until } from './support/fake-socket.js';

let demo;
const clients = [];
before(async () => { demo = await startDemo(await freePort()); });
after(async () => {
  for (const client of clients) client.close();
  await demo?.stop();
});

/** A connected client (closed after the tests). */
async function connected(options = {}, query = '') {
  const errors = [];
  const client = new SwitchboardClient(demo.url + query, { token: 'demo-token', onError: (error) => errors.push(error), ...options });
  clients.push(client);
  await client.connect();
  client.errors = errors;
  return client;
}

test('GET, POST, PUT, HEAD and OPTIONS on the demo routes', async () => {
  const client = await connected();
  const me = await client.get('/me');
  assert.equal(me.status, 200);
  assert.deepEqual(me.json(), { userId: 'demo', roles: [] });
  const boards = (await client.get('/boards')).json();
  assert.ok(boards.some((board) => board.name === 'Roadmap'));
  const created = await client.post('/boards', { name: 'Ideas' });
  assert.equal(created.status, 201);
  const { id } = created.json();
  const renamed = await client.put(`/boards/${id}`, { name: 'Better ideas' });
  assert.equal(renamed.json().name, 'Better ideas');
  const head = await client.head(`/boards/${id}`);
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  const options = await client.options(`/boards/${id}`);
  assert.equal(options.status, 200);
  assert.match(options.text(), /GET/);
  assert.deepEqual(client.errors, []);
});

test('error statuses reject with StatusError carrying the status and the server\'s reason', async () => {
  const client = await connected();
  await assert.rejects(client.get('/boards/999'), (error) => error instanceof StatusError && error.status === 404 && error.message === 'no board 999');
  await assert.rejects(client.delete('/boards/1'), { name: 'StatusError', status: 403 });
  await assert.rejects(client.post('/boards', { nom: 'x' }), { status: 400, message: 'body must be {"name": "…"}' });
  await assert.rejects(client.patch('/boards/1', {}), { status: 405 });
  await assert.rejects(client.get('/no/such/route'), { status: 404 });
  const admin = await connected({ token: 'admin-token' });
  const created = (await admin.post('/boards', { name: 'temporary' })).json();
  assert.equal((await admin.delete(`/boards/${created.id}`)).status, 204);
});

test('a request slower than requestTimeout rejects with TimeoutError', async () => {
  const client = await connected({ requestTimeout: 50 });
  await assert.rejects(client.get('/slow'), (error) => error instanceof TimeoutError && error.message === 'GET /slow: no response within 50 ms');
  assert.deepEqual((await client.get('/slow', { timeout: 5000 })).json(), { answer: 'worth the wait' });
});

test('a wrong or missing token is refused at the handshake: HandshakeRefusedError with status 401 and the server\'s reason', async () => {
  const wrong = new SwitchboardClient(demo.url, { token: 'wrong-token' });
  await assert.rejects(wrong.connect(), (error) => error instanceof HandshakeRefusedError && error.status === 401 && error.reason === 'invalid token');
  assert.equal(wrong.state, 'idle');
  const missing = new SwitchboardClient(demo.url);
  await assert.rejects(missing.connect(), { name: 'HandshakeRefusedError', status: 401, reason: 'missing credentials: send Authorization: Bearer <token>, a token query parameter or a token cookie' });
});

test('a server that cannot be reached is HandshakeRefusedError with status 0', async () => {
  const client = new SwitchboardClient(`ws://127.0.0.1:${await freePort()}/ws`, { token: 'demo-token' });
  await assert.rejects(client.connect(), { name: 'HandshakeRefusedError', status: 0, reason: 'the server refused or could not be reached' });
});

test('paths and rooms are percent-encoded for the wire (space, |, UTF-8)', async () => {
  const client = await connected();
  await assert.rejects(client.get('/boards/a b|é'), (error) => error instanceof StatusError && error.status === 400);
  const state = await client.join('chat-café au lait');
  assert.equal(state.room, 'chat-caf%C3%A9%20au%20lait');
  assert.deepEqual(client.rooms, ['chat-caf%C3%A9%20au%20lait']);
  assert.equal(await client.leave('chat-café au lait'), true);
});

test('push listeners get board renames of joined rooms until stopListening', async () => {
  const alice = await connected();
  const bob = await connected();
  const renames = [];
  const listener = alice.on('/boards/:id/updated', (push) => renames.push(push));
  const state = await alice.join('board-2');
  assert.equal(state.room, 'board-2');
  await bob.put('/boards/2', { name: 'Bugs (triaged)' });
  await until(() => renames.length === 1, 3000, 'the rename push');
  const push = renames[0];
  assert.equal(push.url, '/boards/2/updated');
  assert.equal(push.room, 'board-2');
  assert.deepEqual(push.params, { id: '2' });
  // A reliable push: a non-zero epoch and the room's next offset.
  assert.ok(push.epoch > 0);
  assert.ok(push.offset >= 1);
  assert.equal(push.json().id, '2');
  listener.stopListening();
  await bob.put('/boards/2', { name: 'Bugs' });
  await alice.get('/me');   // a round trip after the push was sent
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(renames.length, 1);
  assert.equal(await alice.leave('board-2'), true);
  assert.deepEqual(alice.rooms, []);
});

test('a store of pushes: presence of the lobby, and messages sent one way', async () => {
  const alice = await connected({}, '?features=presence@demo:lobby:presence');
  const online = alice.store('/presence/demo:lobby:presence', [], (_, push) => push.json().users.map((user) => user.userId));
  let users = [];
  online.subscribe((value) => { users = value; });
  await until(() => users.includes('demo'), 3000, 'the presence list');
  await alice.send('/typing', { board: 7 });
  online.stopListening();
});

test('refreshCredentials hands the token to POST /_switchboard/auth', async () => {
  let calls = 0;
  const client = await connected({ tokenProvider: () => { calls += 1; return 'demo-token'; } });
  assert.deepEqual(await client.refreshCredentials(), { userId: 'demo', expiresAt: null });
  assert.equal(calls, 2, 'once for the handshake, once for the refresh');
  const admin = await connected({ token: 'admin-token' });
  await assert.rejects(admin.request('POST', '/_switchboard/auth', 'demo-token'), { status: 403, message: 'the token belongs to another user; open a new connection to switch users' });
});

test('after the server restarts on the same port the client reconnects, rejoins its rooms and gets pushes again', async () => {
  let tokenCalls = 0;
  const states = [];
  const alice = await connected({ reconnect: { minDelay: 50, maxDelay: 200 }, tokenProvider: () => { tokenCalls += 1; return 'demo-token'; } });
  alice.stateStore.subscribe((state) => states.push(state));
  const messages = [];
  alice.on('/chats/:name/new-message', (push) => messages.push(push.json().text));
  await alice.join('chat-restart');

  await demo.kill();
  await until(() => alice.state === 'reconnecting', 3000, 'reconnecting');
  const queued = alice.get('/me');   // queued while the server is down
  demo = await startDemo(demo.port);
  await until(() => alice.state === 'open', 10000, 'open again');
  assert.deepEqual((await queued).json(), { userId: 'demo', roles: [] });
  assert.ok(tokenCalls >= 2, 'the token provider is asked on each connect');

  const bob = await connected();
  await bob.join('chat-restart');
  await bob.post('/chats/restart/messages', { text: 'after the restart' });
  await until(() => messages.length === 1, 3000, 'the push after the restart');
  assert.deepEqual(messages, ['after the restart']);
  assert.deepEqual(alice.rooms, ['chat-restart']);
  assert.deepEqual(states.filter((state, index) => state !== states[index - 1]), ['open', 'reconnecting', 'open']);
});
