// Sessions, positions, gaps, RESUME, SUBSCRIBE and ACKs (PROTOCOL.md §4, §7) against a scripted
// socket: the answers a live server gives only in rare situations, on cue.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardClient } from '../switchboard.js';
import { fakeWebSocketClass, until } from './support/fake-socket.js';

const text = (data) => new TextDecoder().decode(data);
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A client on fake sockets, opened; `push(room, offset, epoch)` has the server push to a room. */
async function openClient(options = {}) {
  const { WebSocket, sockets } = fakeWebSocketClass();
  const client = new SwitchboardClient('ws://fake/ws', { WebSocket, heartbeat: false, random: () => 0, ...options });
  const latest = () => sockets[sockets.length - 1];
  const opening = client.connect();
  await until(() => latest());
  latest().accept();
  await opening;
  await nextTask();
  const push = (room, offset, epoch = 7, url = `/boards/${room}/updated`) =>
    latest().receive({ kind: 'push', url, room, epoch, offset, data: `{"offset":"${offset}"}` });
  const reports = [];
  client.onRecovery((report) => reports.push(report));
  const pushes = [];
  client.on('/boards/:room/updated', (p) => pushes.push(p));
  /** Drops the socket and accepts the reconnect with `answer` for the RESUME (default: all recovered). */
  const reconnect = async (accept = {}) => {
    const count = sockets.length;
    latest().drop();
    await until(() => sockets.length === count + 1, 2000, 'the reconnect');
    latest().accept(accept);
    await nextTask();
  };
  const acks = () => latest().frames().filter((frame) => frame.kind === 'ack').map((frame) => `${frame.room}@${frame.epoch}:${frame.offset}`);
  return { client, sockets, latest, push, reports, pushes, reconnect, acks };
}

test('HELLO opens the connection (nothing is sent first) and gives the session', async () => {
  const { client, latest } = await openClient();
  assert.equal(client.state, 'open');
  assert.deepEqual(client.session, { clientId: 'demo.tab', connectionId: 'connection-1', resumeToken: 'token-1', sessionGraceMs: 120000, sessionId: 'session-1' });
  assert.equal(latest().sent.length, 0);
  client.close();
  assert.deepEqual(latest().closedWith, { code: 1000, reason: 'client closed' }, 'a deliberate close is 1000: the session ends');
});

test('a duplicate is dropped; a gap or another epoch is reported not recovered and the push says recovered: false', async () => {
  const { client, push, pushes, reports } = await openClient();
  push('board-1', 1);
  push('board-1', 2);
  push('board-1', 2);
  push('board-1', 1);
  assert.deepEqual(pushes.map((p) => [p.offset, p.recovered]), [[1, true], [2, true]]);
  push('board-1', 5);
  assert.deepEqual(reports, [{ cause: 'gap', sessionId: 'session-1', rooms: { 'board-1': { recovered: false, reason: 'gap: expected offset 3, got 5', epoch: 7, offset: 5 } }, lost: ['board-1'] }]);
  push('board-1', 6);
  push('board-1', 1, 9);
  assert.deepEqual(pushes.map((p) => [p.offset, p.recovered]), [[1, true], [2, true], [5, false], [6, true], [1, false]]);
  assert.equal(reports[1].rooms['board-1'].reason, 'epoch changed');
  // Offset 0 is outside the sequence; a room without a position takes the first push as is.
  push('board-1', 0, 0);
  push('board-2', 40);
  assert.deepEqual(pushes.slice(5).map((p) => [p.room, p.offset, p.recovered]), [['board-1', 0, true], ['board-2', 40, true]]);
  assert.equal(reports.length, 2);
  client.close();
});

test('offsets above 2^53 are BigInt, checked exactly and sent exactly in RESUME', async () => {
  const { client, push, pushes, reports, reconnect, latest } = await openClient();
  const big = 2n ** 60n;
  push('board-1', big);
  push('board-1', big + 1n);
  push('board-1', big + 1n);
  assert.deepEqual(pushes.map((p) => p.offset), [big, big + 1n]);
  assert.equal(reports.length, 0);
  await reconnect({ resume: `{"resumeToken":"token-2","resumed":true,"rooms":{"board-1":{"epoch":7,"offset":${big + 3n},"recovered":true}},"sessionId":"session-1"}` });
  assert.equal(latest().resumeRequest.rooms['board-1'].offset, Number(big + 1n), 'parsed lossy by the test, but…');
  assert.equal(reports[0].rooms['board-1'].offset, big + 3n, 'the answer\'s offset is kept exact');
  push('board-1', big + 4n);
  assert.equal(pushes.at(-1).recovered, true, 'the next offset after the answer\'s position');
  client.close();
});

test('RESUME is the first frame of a reconnect, with the token and positions; the answer restores rooms, reports the lost ones and opens', async () => {
  const { client, sockets, latest, push, pushes, reports, reconnect } = await openClient();
  const joins = ['board-1', 'board-2', 'board-3'].map((room) => client.join(room));
  for (const frame of latest().frames()) latest().receive({ kind: 'response', id: frame.id, status: 200, url: '', data: '{}' });
  await Promise.all(joins);
  push('board-1', 3);
  push('board-2', 10);
  push('board-4', 1);   // a room of the session the server joined (e.g. by a route)
  latest().drop();
  assert.equal(client.state, 'reconnecting');
  const queued = client.get('/me');
  await until(() => sockets.length === 2);
  const socket = latest();
  socket.open();
  const [resume] = socket.frames();
  assert.equal(resume.control, 'RESUME', 'sent at once, before HELLO');
  assert.equal(text(resume.data), '{"resumeToken":"token-1","rooms":{"board-1":{"epoch":7,"offset":3},"board-2":{"epoch":7,"offset":10},"board-4":{"epoch":7,"offset":1}}}');
  socket.receive({ kind: 'control', control: 'HELLO', id: 0, url: '', data: '{"clientId":"demo.tab","connectionId":"connection-2","resumeToken":"fresh","sessionGraceMs":120000,"sessionId":"session-2"}' });
  assert.equal(client.state, 'reconnecting', 'open only once the RESUME is answered');
  // Replayed, then one live push for board-2 whose history was lost, before the RESPONSE.
  push('board-1', 4);
  push('board-2', 31);
  assert.deepEqual(pushes.slice(-2).map((p) => [p.room, p.offset, p.recovered]), [['board-1', 4, true], ['board-2', 31, false]]);
  assert.equal(reports.length, 0, 'a gap during the resume is reported with its answer');
  socket.receive({ kind: 'response', id: resume.id, status: 200, url: '', data: JSON.stringify({
    resumeToken: 'token-2', resumed: true, sessionId: 'session-1',
    rooms: {
      'board-1': { epoch: 7, offset: 4, recovered: true },
      'board-2': { epoch: 7, offset: 30, recovered: false, reason: 'history no longer covers offset 10' },
      'board-3': { epoch: 8, offset: 0, recovered: false, reason: 'no position given' },
      'board-4': { recovered: false, reason: 'refused: only board-…, chat-… and the lobby are open' },
    },
  }) });
  assert.equal(client.state, 'open');
  assert.deepEqual(client.session, { clientId: 'demo.tab', connectionId: 'connection-2', resumeToken: 'token-2', sessionGraceMs: 120000, sessionId: 'session-1' });
  assert.deepEqual(reports, [{
    cause: 'resume', resumed: true, sessionId: 'session-1', lost: ['board-2', 'board-3', 'board-4'],
    rooms: {
      'board-1': { recovered: true, epoch: 7, offset: 4 },
      'board-2': { recovered: false, reason: 'history no longer covers offset 10', epoch: 7, offset: 31 },
      'board-3': { recovered: false, reason: 'no position given', epoch: 8, offset: 0 },
      'board-4': { recovered: false, reason: 'refused: only board-…, chat-… and the lobby are open' },
    },
  }]);
  // Nothing is joined again (the server restored every room); the queued request follows.
  await until(() => socket.frames().length === 2);
  assert.deepEqual(socket.frames().slice(1).map((frame) => `${frame.method} ${frame.url}`), ['GET /me']);
  socket.receive({ kind: 'response', id: socket.frames()[1].id, status: 200, url: '', data: '{}' });
  await queued;
  assert.deepEqual(client.rooms.sort(), ['board-1', 'board-2', 'board-3'], 'the refused room is gone');
  push('board-3', 1, 8);
  push('board-2', 32);
  assert.deepEqual(pushes.slice(-2).map((p) => [p.room, p.offset, p.recovered]), [['board-3', 1, false], ['board-2', 32, true]]);
  // The next reconnect resumes from the positions now held, with the new token.
  await reconnect();
  assert.deepEqual(latest().resumeRequest, { id: latest().resumeRequest.id, resumeToken: 'token-2', rooms: { 'board-1': { epoch: 7, offset: 4 }, 'board-2': { epoch: 7, offset: 32 }, 'board-3': { epoch: 8, offset: 1 } } });
  assert.deepEqual(reports.at(-1).lost, []);
  client.close();
});

test('a RESUME refused (403) or an unknown token: the rooms not restored are joined again and reported', async () => {
  const { client, latest, push, reports, reconnect } = await openClient();
  const joining = client.join('chat-a');
  latest().receive({ kind: 'response', id: latest().frames()[0].id, status: 200, url: '', data: '{}' });
  await joining;
  push('board-9', 2);
  await reconnect({ resume: { resumeToken: 'token-2', resumed: false, reason: 'unknown or expired resume token', sessionId: 'session-2', rooms: { 'board-9': { epoch: 11, offset: 5, recovered: false, reason: 'epoch changed' } } } });
  assert.deepEqual(reports.at(-1), {
    cause: 'resume', resumed: false, reason: 'unknown or expired resume token', sessionId: 'session-2', lost: ['board-9', 'chat-a'],
    rooms: {
      'board-9': { recovered: false, reason: 'epoch changed', epoch: 11, offset: 5 },
      'chat-a': { recovered: false, reason: 'unknown or expired resume token' },
    },
  });
  const [join] = latest().frames();
  assert.equal(`${join.method} ${join.url} ${text(join.data)}`, 'POST /_switchboard/rooms/join {"room":"chat-a"}');
  latest().receive({ kind: 'response', id: join.id, status: 200, url: '', data: '{}' });

  latest().drop();
  await until(() => latest().readyState === 3 && client.state === 'reconnecting');
  await until(() => latest().readyState === 0);
  latest().open();
  const resume = latest().frames()[0];
  latest().receive({ kind: 'control', control: 'HELLO', id: 0, url: '', data: '{"clientId":"x","connectionId":"c","resumeToken":"t","sessionGraceMs":1,"sessionId":"s"}' });
  latest().receive({ kind: 'response', id: resume.id, status: 403, url: '', data: '{"error":"resume token belongs to another user"}' });
  assert.equal(client.state, 'open');
  const reason = 'RESUME refused (403): resume token belongs to another user';
  assert.deepEqual(reports.at(-1), { cause: 'resume', resumed: false, reason, sessionId: 's', lost: ['board-9', 'chat-a'], rooms: { 'board-9': { recovered: false, reason }, 'chat-a': { recovered: false, reason } } });
  assert.equal(client.session.resumeToken, 't', 'the connection keeps the session of its HELLO');
  await until(() => latest().frames().length === 2);
  assert.equal(latest().frames()[1].url, '/_switchboard/rooms/join');
  client.close();
});

test('SUBSCRIBE #0 in place of a push that left the client out moves its position: no gap, no room joined', async () => {
  const { client, latest, push, pushes, reports, reconnect } = await openClient();
  push('board-1', 1);
  for (const offset of [2, 3, 4]) latest().receive({ kind: 'control', control: 'SUBSCRIBE', id: 0, url: '', data: `{"epoch":7,"offset":${offset},"room":"board-1"}` });
  push('board-1', 5);
  assert.deepEqual(pushes.map((p) => [p.offset, p.recovered]), [[1, true], [5, true]]);
  assert.deepEqual(reports, []);
  assert.deepEqual(client.rooms, [], 'a position notice joins nothing');
  latest().receive({ kind: 'control', control: 'SUBSCRIBE', id: 0, url: '', data: '{"epoch":7,"offset":8,"room":"board-1"}' });
  assert.deepEqual(reports.map((report) => report.rooms['board-1'].reason), ['gap: expected offset 6, got 8'], 'a notice after a gap is a gap');
  await reconnect();
  assert.deepEqual(latest().resumeRequest.rooms, { 'board-1': { epoch: 7, offset: 8 } });
  client.close();
});

test('SUBSCRIBE before a response sets the room\'s position and is on the response', async () => {
  const { client, latest, push, pushes, reports, reconnect } = await openClient();
  const answer = client.get('/boards');
  const request = latest().frames()[0];
  latest().receive({ kind: 'batch', frames: [
    { kind: 'control', control: 'SUBSCRIBE', id: request.id, url: '', data: '{"epoch":5,"offset":12,"room":"boards"}' },
    { kind: 'response', id: request.id, status: 200, url: '', data: '[]' },
  ] });
  const response = await answer;
  assert.deepEqual(response.subscription, { room: 'boards', epoch: 5, offset: 12 });
  assert.deepEqual(client.rooms, ['boards']);
  push('boards', 12, 5, '/boards/1/updated');
  push('boards', 13, 5, '/boards/1/updated');
  assert.deepEqual(pushes.map((p) => p.offset), [13], 'offset 12 is in the response already');
  assert.equal(reports.length, 0);
  await reconnect();
  assert.deepEqual(latest().resumeRequest.rooms, { boards: { epoch: 5, offset: 13 } });
  const other = client.get('/me');
  latest().receive({ kind: 'response', id: latest().frames()[0].id, status: 200, url: '', data: '{}' });
  assert.equal((await other).subscription, undefined);
  client.close();
});

test('ACKs: the highest offset per room, after 50 pushes or 1 s after the first unacknowledged one, and before a deliberate close', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const { WebSocket, sockets } = fakeWebSocketClass();
  const client = new SwitchboardClient('ws://fake/ws', { WebSocket, heartbeat: false });
  const opening = client.connect();
  await until(() => sockets[0]);
  const socket = sockets[0];
  socket.accept();
  await opening;
  mock.timers.tick(0);
  const push = (room, offset) => socket.receive({ kind: 'push', url: '/x', room, epoch: 3, offset, data: '' });
  const acks = () => socket.frames().map((frame) => `${frame.kind} ${frame.room}@${frame.epoch}:${frame.offset}`);
  for (let offset = 1; offset <= 30; offset++) push('board-1', offset);
  for (let offset = 1; offset <= 19; offset++) push('board-2', offset);
  push('board-2', 0);   // not kept, not acknowledged
  assert.deepEqual(acks(), []);
  push('board-2', 20);
  assert.deepEqual(acks(), ['ack board-1@3:30', 'ack board-2@3:20'], 'the 50th push sends them');
  push('board-1', 31);
  mock.timers.tick(999);
  assert.equal(acks().length, 2);
  mock.timers.tick(1);
  assert.deepEqual(acks().slice(2), ['ack board-1@3:31'], '1 s after the first unacknowledged push');
  push('board-2', 21);
  client.close();
  assert.deepEqual(acks().slice(3), ['ack board-2@3:21'], 'sent before the close');
  assert.equal(socket.closedWith.code, 1000);
});

test('ack: false sends no ACK', async () => {
  const { client, push, latest } = await openClient({ ack: false });
  for (let offset = 1; offset <= 60; offset++) push('board-1', offset);
  client.close();
  assert.deepEqual(latest().frames(), []);
});

test('a reconnect that drops before its RESUME is answered presents the same token and positions again', async () => {
  const { client, sockets, latest, push } = await openClient();
  push('board-1', 4);
  latest().drop();
  await until(() => sockets.length === 2);
  latest().open();
  latest().receive({ kind: 'control', control: 'HELLO', id: 0, url: '', data: '{"clientId":"demo.tab","connectionId":"connection-2","resumeToken":"unused","sessionGraceMs":120000,"sessionId":"session-2"}' });
  assert.equal(client.session.resumeToken, 'token-1');
  assert.equal(client.session.connectionId, 'connection-2');
  latest().drop();
  assert.equal(client.state, 'reconnecting');
  await until(() => sockets.length === 3);
  latest().accept();
  assert.deepEqual(latest().resumeRequest, { id: latest().resumeRequest.id, resumeToken: 'token-1', rooms: { 'board-1': { epoch: 7, offset: 4 } } });
  assert.equal(client.state, 'open');
  assert.equal(client.session.resumeToken, 'token-2');
  client.close();
});

test("HELLO's room positions are kept where the client has none (not a random client id's room) and resumed from", async () => {
  const { client, latest, reconnect, push } = await openClient();
  // The first HELLO had no rooms (as from an older server); the second has three.
  push('user-alice', 2, 5);
  await reconnect({ hello: { rooms: { 'user-alice': { epoch: 5, offset: 9 }, 'client-alice.~0a': { epoch: 6, offset: 0 }, 'client-alice.tab': { epoch: 4, offset: 3 } } } });
  assert.deepEqual(latest().resumeRequest.rooms, { 'user-alice': { epoch: 5, offset: 2 } }, 'sent before HELLO, from what the client had');
  await reconnect();
  assert.deepEqual(latest().resumeRequest.rooms, {
    'client-alice.tab': { epoch: 4, offset: 3 },
    'user-alice': { epoch: 5, offset: 2 },
  }, "the user room keeps its own position; the fixed client room's comes from HELLO; the random one is never kept");
  client.close();
});
