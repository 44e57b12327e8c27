// SwitchboardClient against a scripted socket: the paths a live server will not take on cue
// (expired credentials, lost answers, overload, silence, refused handshakes, backoff timing).
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  SwitchboardClient, backoffDelay, StatusError, TimeoutError, ConnectionLostError, HandshakeRefusedError,
  ClosedError, QueueFullError,
} from '../switchboard.js';
import { fakeWebSocketClass, until } from './support/fake-socket.js';

const text = (data) => new TextDecoder().decode(data);
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A client on fake sockets; `connected()` opens the latest socket and waits for 'open'. */
function fakeClient(options = {}) {
  const { WebSocket, sockets } = fakeWebSocketClass();
  const client = new SwitchboardClient('ws://fake/ws', { WebSocket, heartbeat: false, ...options });
  const latest = () => sockets[sockets.length - 1];
  const connected = async () => {
    const opening = client.state === 'idle' ? client.connect() : undefined;
    await until(() => latest() && latest().readyState === 0, 2000, 'a new socket');
    latest().accept();
    await opening;
    // The client holds the first frames until the next task (listeners added after connect()
    // see them): let that task run.
    if (typeof setTimeout.mock === 'object' || setTimeout.name !== 'setTimeout') {
      mock.timers.tick(0);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  /** Waits for the `n`-th frame (0-based) the latest socket sent, decoded. */
  const sentFrame = async (n) => {
    await until(() => latest().sent.length > n, 2000, `frame ${n}`);
    return latest().frames()[n];
  };
  const reply = (request, status, body = '') => latest().receive({ kind: 'response', id: request.id, status, url: '', data: body });
  return { client, sockets, latest, connected, sentFrame, reply };
}

test('backoff is exponential with full jitter: random() × min(maxDelay, minDelay × 2^attempt)', () => {
  const half = () => 0.5;
  const delays = [0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, { minDelay: 100, maxDelay: 1000 }, half));
  assert.deepEqual(delays, [50, 100, 200, 400, 500, 500, 500]);
  assert.equal(backoffDelay(3, { minDelay: 100, maxDelay: 1000 }, () => 0), 0);
});

test('reconnect attempts follow the backoff schedule with the injected random, and give up after maxAttempts', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let tokens = 0;
  const { client, sockets, connected } = fakeClient({
    random: () => 0.5,
    reconnect: { minDelay: 100, maxDelay: 300, maxAttempts: 4 },
    tokenProvider: () => `token-${++tokens}`,
  });
  const states = [];
  client.stateStore.subscribe((state) => states.push(state));
  await connected();
  assert.equal(sockets[0].url, 'ws://fake/ws?refusal=close&token=token-1');
  const queued = client.get('/boards').catch((error) => error);
  sockets[0].drop();
  assert.equal(client.state, 'reconnecting');
  // Expected waits before attempts 1…4: 50, 100, 150 (capped at 300 × 0.5), 150.
  for (const [attempt, wait] of [[1, 50], [2, 100], [3, 150], [4, 150]]) {
    mock.timers.tick(wait - 1);
    await tick();
    assert.equal(sockets.length, attempt, `attempt ${attempt} not before ${wait} ms`);
    mock.timers.tick(1);
    await until(() => sockets.length === attempt + 1, 2000, `attempt ${attempt}`);
    assert.equal(sockets[attempt].url, `ws://fake/ws?refusal=close&token=token-${attempt + 1}`, 'the token provider is asked on each connect');
    sockets[attempt].drop();
    await tick();
  }
  const error = await queued;
  assert.ok(error instanceof HandshakeRefusedError && error.status === 0 && error.reason === 'the server refused or could not be reached', String(error));
  assert.deepEqual(states, ['idle', 'connecting', 'open', 'reconnecting', 'closed']);
});

test('a refused first connect rejects with HandshakeRefusedError (status 0) and leaves the client idle', async () => {
  const { client, latest } = fakeClient();
  const connecting = client.connect();
  const queued = client.get('/boards');
  await until(() => latest());
  latest().drop();
  await assert.rejects(connecting, { name: 'HandshakeRefusedError', status: 0, reason: 'the server refused or could not be reached' });
  await assert.rejects(queued, HandshakeRefusedError);
  assert.equal(client.state, 'idle');
});

test('every handshake asks for refusal=close; a close with 4000 + status after the upgrade rejects connect with that status and reason', async () => {
  const { client, latest } = fakeClient({ token: 'nope' });
  const states = [];
  client.stateStore.subscribe((state) => states.push(state));
  const connecting = client.connect();
  const queued = client.post('/boards', { name: 'never sent' });
  await until(() => latest());
  assert.equal(latest().url, 'ws://fake/ws?refusal=close&token=nope');
  latest().refuse(401, 'invalid token');
  await assert.rejects(connecting, { name: 'HandshakeRefusedError', status: 401, reason: 'invalid token', message: 'handshake refused (status 401): invalid token' });
  await assert.rejects(queued, { name: 'HandshakeRefusedError', status: 401 });
  assert.deepEqual(states, ['idle', 'connecting', 'idle'], 'never open');
  assert.deepEqual(latest().frames(), [], 'nothing was sent');
});

test('a refusal told as a close while reconnecting is one failed attempt: the client backs off and tries again', async () => {
  const { client, sockets, connected, latest } = fakeClient({ random: () => 0, token: 't' });
  await connected();
  latest().drop();
  assert.equal(client.state, 'reconnecting');
  await until(() => sockets.length === 2);
  latest().refuse(503, 'server at capacity (1 connections); retry later');
  await until(() => sockets.length === 3, 2000, 'another attempt');
  assert.equal(client.state, 'reconnecting');
  latest().accept();
  assert.equal(client.state, 'open');
  client.close();
});

test('a socket that upgrades but sends no HELLO fails the attempt after requestTimeout', async () => {
  const { client, latest } = fakeClient({ requestTimeout: 30 });
  const connecting = client.connect();
  await until(() => latest());
  latest().open();
  await assert.rejects(connecting, { name: 'HandshakeRefusedError', status: 0, reason: 'the server sent nothing within 30 ms of the upgrade' });
  assert.deepEqual(latest().closedWith, { code: 4000, reason: 'no answer after the upgrade' });
  assert.equal(client.state, 'idle');
});

test('explainRefusal can be replaced to report what the server says', async () => {
  const { client, latest } = fakeClient({ explainRefusal: async () => ({ status: 401, reason: 'invalid token' }) });
  const connecting = client.connect();
  await until(() => latest());
  latest().drop();
  await assert.rejects(connecting, { status: 401, reason: 'invalid token', message: 'handshake refused (status 401): invalid token' });
});

test('a 401 asks the tokenProvider, refreshes in-band with POST /_switchboard/auth and retries once', async () => {
  let tokens = 0;
  const { client, connected, sentFrame, reply } = fakeClient({ tokenProvider: () => `token-${++tokens}` });
  await connected();
  const answer = client.post('/boards', { name: 'Q3' });
  const first = await sentFrame(0);
  reply(first, 401, '{"error":"credentials expired"}');
  const refresh = await sentFrame(1);
  assert.equal(`${refresh.method} ${refresh.url} ${text(refresh.data)}`, 'POST /_switchboard/auth token-2');
  reply(refresh, 200, '{"userId":"demo","expiresAt":null}');
  const retry = await sentFrame(2);
  assert.equal(`${retry.method} ${retry.url} ${text(retry.data)}`, 'POST /boards {"name":"Q3"}');
  reply(retry, 201, '{"id":3}');
  const response = await answer;
  assert.equal(response.status, 201);
  assert.deepEqual(response.json(), { id: 3 });
});

test('when the refresh is refused, the request fails with its 401 and is not retried', async () => {
  const errors = [];
  const { client, connected, sentFrame, reply, latest } = fakeClient({ tokenProvider: () => 'stale', onError: (error) => errors.push(error) });
  await connected();
  const answer = client.get('/me');
  reply(await sentFrame(0), 401, '{"error":"credentials expired"}');
  reply(await sentFrame(1), 401, '{"error":"invalid or expired token"}');
  await assert.rejects(answer, (error) => error instanceof StatusError && error.status === 401 && error.message === 'credentials expired');
  assert.equal(latest().sent.length, 2);
  assert.equal(errors[0].status, 401, 'the failed refresh is reported to onError');
});

test('after a reconnect, rooms are rejoined first, lost idempotent requests are re-sent and the others fail', async () => {
  const { client, sockets, connected, sentFrame, reply, latest } = fakeClient({ random: () => 0 });
  await connected();
  const joining = client.join('board-7');
  reply(await sentFrame(0), 200, '{"room":"board-7","lastBroadcastTimestamp":null,"memberCount":1}');
  assert.deepEqual(await joining, { room: 'board-7', lastBroadcastTimestamp: null, memberCount: 1 });
  const get = client.get('/boards/7');
  const put = client.put('/boards/7', { name: 'x' });
  const post = client.post('/boards', { name: 'y' });
  await sentFrame(3);
  latest().drop();
  await assert.rejects(post, (error) => error instanceof ConnectionLostError && /POST \/boards was answered; it may or may not have been applied/.test(error.message));
  assert.equal(client.state, 'reconnecting');
  const queuedLater = client.delete('/boards/9');
  await until(() => sockets.length === 2);
  await connected();
  const resent = [0, 1, 2, 3].map(() => null);
  for (let n = 0; n < 4; n++) resent[n] = await sentFrame(n);
  assert.deepEqual(resent.map((frame) => `${frame.method} ${frame.url}`), ['POST /_switchboard/rooms/join', 'GET /boards/7', 'PUT /boards/7', 'DELETE /boards/9']);
  assert.equal(text(resent[0].data), '{"room":"board-7"}');
  for (const frame of resent) reply(frame, 200, '{}');
  await Promise.all([get, put, queuedLater]);
  assert.deepEqual(client.rooms, ['board-7']);
});

test('429 and 503 on idempotent requests wait and retry; on POST they fail at once', async () => {
  const { client, connected, sentFrame, reply } = fakeClient({ random: () => 0, retry: { maxAttempts: 2 } });
  await connected();
  const get = client.get('/boards');
  reply(await sentFrame(0), 429, '{"error":"too many requests in flight"}');
  reply(await sentFrame(1), 503, '{"error":"busy"}');
  reply(await sentFrame(2), 200, '[]');
  assert.deepEqual((await get).json(), []);
  const post = client.post('/boards', { name: 'z' });
  reply(await sentFrame(3), 429, '{"error":"too many requests in flight"}');
  await assert.rejects(post, { name: 'StatusError', status: 429, message: 'too many requests in flight' });
  const giveUp = client.get('/boards');
  for (let n = 4; n < 7; n++) reply(await sentFrame(n), 503, '{"error":"busy"}');
  await assert.rejects(giveUp, { status: 503 });
});

test('the queue is bounded, times out per item and flushes in order when the socket opens', async () => {
  const { client, connected, latest } = fakeClient({ maxQueue: 3, queueTimeout: 100 });
  const connecting = client.connect();
  const stale = client.send('/typing', { n: 0 });
  await assert.rejects(stale, (error) => error instanceof TimeoutError && error.ms === 100 && error.message === 'MESSAGE /typing was not sent: the connection did not open within 100 ms');
  const items = [client.send('/typing', { n: 1 }), client.get('/me'), client.send('/typing', { n: 2 })];
  await assert.rejects(client.send('/typing', { n: 3 }), (error) => error instanceof QueueFullError && error.message === 'the queue is full (3 items waiting for the connection)');
  await connected();
  await connecting;
  await Promise.all([items[0], items[2]]);
  assert.deepEqual(latest().frames().map((frame) => `${frame.kind} ${frame.url} ${text(frame.data)}`), ['message /typing {"n":1}', 'request /me ', 'message /typing {"n":2}']);
  client.close();
  await assert.rejects(items[1], ClosedError);
});

test('a request without an answer fails with TimeoutError; an ERROR frame for it with StatusError', async () => {
  const { client, connected, sentFrame, latest } = fakeClient({ requestTimeout: 50 });
  await connected();
  await assert.rejects(client.get('/slow'), { name: 'TimeoutError', message: 'GET /slow: no response within 50 ms', ms: 50 });
  const bad = client.get('/x');
  const frame = await sentFrame(1);
  latest().receive({ kind: 'error', id: frame.id, status: 400, url: '', data: '{"error":"url too long"}' });
  await assert.rejects(bad, { name: 'StatusError', status: 400, message: 'url too long' });
});

test('a heartbeat without an answer closes the socket and reconnects', async () => {
  const { client, sockets, connected, sentFrame, latest } = fakeClient({ heartbeat: { interval: 30, timeout: 30 }, random: () => 0 });
  await connected();
  const heartbeat = await sentFrame(0);
  assert.equal(`${heartbeat.method} ${heartbeat.url}`, 'OPTIONS /_switchboard/client');
  await until(() => client.state === 'reconnecting', 2000, 'reconnecting');
  assert.deepEqual(sockets[0].closedWith, { code: 4000, reason: 'heartbeat timeout' });
  await until(() => sockets.length === 2);
  latest().accept();
  assert.equal(client.state, 'open');
  client.close();
});

test('the state store follows the Svelte contract', async () => {
  const { client, connected } = fakeClient();
  const seen = [];
  const unsubscribe = client.stateStore.subscribe((state) => seen.push(state));
  assert.deepEqual(seen, ['idle'], 'called at once with the current value');
  await connected();
  unsubscribe();
  client.close();
  assert.deepEqual(seen, ['idle', 'connecting', 'open']);
  assert.equal(client.state, 'closed');
  await assert.rejects(client.get('/'), ClosedError);
});

test('pushes in a batch reach listeners in order; a listener result is a store of the latest push', async () => {
  const { client, connected, latest } = fakeClient();
  await connected();
  const seen = [];
  const subscription = client.on('/boards/:id/updated', (push) => seen.push([push.params.id, push.room, push.json().name]));
  const latestPush = [];
  subscription.subscribe((push) => latestPush.push(push?.text()));
  const names = client.store('/boards/:id/updated', [], (list, push) => [...list, push.json().name]);
  const push = (id, name) => ({ kind: 'push', url: `/boards/${id}/updated`, room: `board-${id}`, epoch: 0, offset: 0, data: JSON.stringify({ name }) });
  latest().receive({ kind: 'batch', frames: [push(7, 'a'), push(8, 'b')] });
  assert.deepEqual(seen, [['7', 'board-7', 'a'], ['8', 'board-8', 'b']]);
  assert.deepEqual(latestPush, [undefined, '{"name":"a"}', '{"name":"b"}']);
  let value;
  names.subscribe((names) => { value = names; })();
  assert.deepEqual(value, ['a', 'b']);
  subscription.stopListening();
  latest().receive(push(9, 'c'));
  assert.equal(seen.length, 2);
  assert.deepEqual(names.get(), ['a', 'b', 'c']);
  client.close();
});
