// Resuming a session against the real demo server (PROTOCOL.md §7): the TCP connection is cut
// without a close frame through a proxy, pushes are published meanwhile, and the client comes
// back by itself with exactly what it missed, or reports what it could not recover.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SwitchboardClient, encodeFrame, decodeFrame, SUBPROTOCOL } from '../switchboard.js';
import { startDemo, freePort } from './support/demo-server.js';
import { tcpProxy } from './support/tcp-proxy.js';
import { until } from './support/fake-socket.js';

let demo;
const clients = [];
before(async () => { demo = await startDemo(await freePort()); });
after(async () => {
  for (const client of clients) client.close();
  await demo?.stop();
});

function client(url, options = {}) {
  const errors = [];
  const made = new SwitchboardClient(url, { token: 'demo-token', onError: (error) => errors.push(error), reconnect: { minDelay: 20, maxDelay: 100 }, ...options });
  made.errors = errors;
  clients.push(made);
  return made;
}

/** Alice through a proxy, Bob direct; a fresh board Alice reads (which subscribes her to its room). */
async function setUp(name) {
  const proxy = await tcpProxy(demo.port);
  const alice = client(`ws://127.0.0.1:${proxy.port}/ws`);
  const bob = client(demo.url);
  await Promise.all([alice.connect(), bob.connect()]);
  const board = (await bob.post('/boards', { name })).json();
  const read = await alice.get(`/boards/${board.id}`);
  assert.equal(read.subscription.room, `board-${board.id}`);
  assert.ok(read.subscription.epoch > 0);
  const names = [];
  alice.on('/boards/:id/updated', (push) => { if (push.params.id === String(board.id)) names.push({ name: push.json().changes.name, offset: push.offset, recovered: push.recovered }); });
  const reports = [];
  alice.onRecovery((report) => reports.push(report));
  return { proxy, alice, bob, board, names, reports };
}

/** Cuts Alice's TCP connection, runs `meanwhile`, lets her reconnect and waits for the resume. */
async function outage({ proxy, alice, reports }, meanwhile) {
  const session = alice.session;
  proxy.cut();
  await until(() => alice.state === 'reconnecting', 3000, 'reconnecting');
  await meanwhile();
  const before = reports.length;
  proxy.restore();
  await until(() => alice.state === 'open' && reports.length > before, 10000, 'open again with a recovery report');
  return { session, report: reports.at(-1) };
}

test('a TCP cut with 100 pushes meanwhile: the client reconnects by itself and gets exactly those 100, in order, then live ones', { timeout: 30000 }, async () => {
  const setup = await setUp('resume-100');
  const { alice, bob, board, names, proxy } = setup;
  await bob.put(`/boards/${board.id}`, { name: 'before' });
  await until(() => names.length === 1, 3000, 'the first rename');
  const { session, report } = await outage(setup, async () => {
    for (let n = 1; n <= 100; n++) await bob.put(`/boards/${board.id}`, { name: `name-${n}` });
  });
  assert.equal(report.cause, 'resume');
  assert.equal(report.resumed, true);
  assert.equal(report.sessionId, session.sessionId);
  assert.deepEqual(report.rooms[`board-${board.id}`], { recovered: true, epoch: report.rooms[`board-${board.id}`].epoch, offset: 101 });
  assert.deepEqual(report.lost, []);
  assert.notEqual(alice.session.resumeToken, session.resumeToken, 'the token is spent; a new one came');
  assert.deepEqual(names.slice(1).map((entry) => entry.name), Array.from({ length: 100 }, (_, n) => `name-${n + 1}`));
  assert.deepEqual(names.map((entry) => entry.offset), Array.from({ length: 101 }, (_, n) => n + 1), 'no gap, no duplicate');
  assert.ok(names.every((entry) => entry.recovered));
  await bob.put(`/boards/${board.id}`, { name: 'live' });
  await until(() => names.length === 102, 3000, 'the live rename');
  assert.deepEqual(names.at(-1), { name: 'live', offset: 102, recovered: true });
  assert.deepEqual(alice.errors, []);
  await proxy.close();
});

test('150 pushes overflow the history of 100: that room alone is reported not recovered', { timeout: 30000 }, async () => {
  const setup = await setUp('overflowing');
  const { alice, bob, board, names, proxy } = setup;
  const quiet = (await bob.post('/boards', { name: 'quiet' })).json();
  await alice.get(`/boards/${quiet.id}`);
  const other = (await bob.post('/boards', { name: 'few' })).json();
  await alice.get(`/boards/${other.id}`);
  const { report } = await outage(setup, async () => {
    for (let n = 1; n <= 150; n++) await bob.put(`/boards/${board.id}`, { name: `name-${n}` });
    for (let n = 1; n <= 3; n++) await bob.put(`/boards/${other.id}`, { name: `few-${n}` });
  });
  assert.equal(report.resumed, true);
  assert.deepEqual(report.lost, [`board-${board.id}`]);
  assert.deepEqual(report.rooms[`board-${board.id}`], { recovered: false, reason: 'history no longer covers offset 0', epoch: report.rooms[`board-${board.id}`].epoch, offset: 150 });
  assert.equal(report.rooms[`board-${quiet.id}`].recovered, true);
  assert.equal(report.rooms[`board-${other.id}`].recovered, true);
  assert.deepEqual(names, [], 'nothing replayed for the room that was not recovered');
  await bob.put(`/boards/${board.id}`, { name: 'after' });
  await until(() => names.length === 1, 3000, 'the next rename');
  assert.deepEqual(names[0], { name: 'after', offset: 151, recovered: false });
  await proxy.close();
});

test('after a server restart every room\'s epoch changed: recovered false, and the rooms keep working', { timeout: 30000 }, async () => {
  const setup = await setUp('restart');
  const { alice, board, names, proxy } = setup;
  await alice.join('chat-resume');
  const { report } = await outage(setup, async () => {
    await demo.kill();
    demo = await startDemo(demo.port);
  });
  assert.equal(report.resumed, false);
  assert.equal(report.reason, 'unknown or expired resume token');
  assert.deepEqual(report.rooms[`board-${board.id}`].recovered, false);
  assert.equal(report.rooms[`board-${board.id}`].reason, 'epoch changed');
  // Joined, the quiet room has a position too: restored in the new epoch, not joined again.
  assert.deepEqual(report.rooms['chat-resume'], { recovered: false, reason: 'epoch changed', epoch: report.rooms['chat-resume'].epoch, offset: 0 });
  assert.ok(report.lost.includes(`board-${board.id}`) && report.lost.includes('chat-resume'));
  // The restarted demo has its two boards again; a rename of board 1 reaches Alice, who follows it.
  await alice.get('/boards/1');
  const bob = client(demo.url);
  await bob.connect();
  await bob.put('/boards/1', { name: 'after the restart' });
  const renamed = [];
  alice.on('/boards/1/updated', (push) => renamed.push(push.json().changes.name));
  await bob.put('/boards/1', { name: 'again' });
  await until(() => renamed.includes('again'), 3000, 'a rename after the restart');
  assert.deepEqual(names, []);
  await proxy.close();
});

test('a deliberate close (1000) ends the session: its resume token resumes nothing afterwards', { timeout: 20000 }, async () => {
  const alice = client(demo.url);
  await alice.connect();
  const { sessionId, resumeToken } = alice.session;
  assert.match(sessionId, /^[0-9a-f]{32}$/);
  alice.close();
  await new Promise((resolve) => setTimeout(resolve, 200));
  // A raw socket presents the token: the session is gone, so this connection keeps its own.
  const socket = new WebSocket(`${demo.url}?token=demo-token`, SUBPROTOCOL);
  socket.binaryType = 'arraybuffer';
  const frames = [];
  socket.addEventListener('message', (event) => frames.push(decodeFrame(event.data)));
  await new Promise((resolve, reject) => { socket.addEventListener('open', resolve); socket.addEventListener('error', reject); });
  socket.send(encodeFrame({ kind: 'control', control: 'RESUME', id: 1, url: '', data: JSON.stringify({ resumeToken }) }));
  await until(() => frames.some((frame) => frame.kind === 'response'), 3000, 'the RESUME answer');
  const hello = JSON.parse(new TextDecoder().decode(frames[0].data));
  const answer = JSON.parse(new TextDecoder().decode(frames.find((frame) => frame.kind === 'response').data));
  assert.equal(answer.resumed, false);
  assert.equal(answer.reason, 'unknown or expired resume token');
  assert.equal(answer.sessionId, hello.sessionId);
  assert.notEqual(hello.sessionId, sessionId);
  socket.close(1000);
  // And a new client starts a fresh session.
  const again = client(demo.url);
  await again.connect();
  assert.notEqual(again.session.sessionId, sessionId);
});

/** Alice through a proxy and Bob direct, both in a fresh chat room; Alice's chat pushes and reports recorded. */
async function chatSetUp(name) {
  const proxy = await tcpProxy(demo.port);
  const alice = client(`ws://127.0.0.1:${proxy.port}/ws`);
  const bob = client(demo.url);
  await Promise.all([alice.connect(), bob.connect()]);
  const room = `chat-${name}`;
  const joined = await alice.join(room);
  assert.ok(Number.isInteger(joined.epoch) && joined.epoch > 0, 'the join answer carries the room position');
  assert.equal(joined.offset, 0);
  await bob.join(room);
  const texts = [];
  const bobTexts = [];
  alice.on(`/chats/${name}/new-message`, (push) => texts.push({ text: push.json().text, offset: push.offset, recovered: push.recovered }));
  bob.on(`/chats/${name}/new-message`, (push) => bobTexts.push(push.json().text));
  const reports = [];
  alice.onRecovery((report) => reports.push(report));
  return { proxy, alice, bob, room, name, texts, bobTexts, reports };
}

test('a sender left out of 5 reliable pushes: the 6th push follows with no gap and recovered stays true', { timeout: 20000 }, async () => {
  const { proxy, alice, bob, name, texts, bobTexts, reports } = await chatSetUp('excluded-live');
  for (let n = 1; n <= 5; n++) await alice.post(`/chats/${name}/messages`, { text: `mine-${n}`, echo: false });
  await until(() => bobTexts.length === 5, 3000, 'Bob has the 5 messages');
  await bob.post(`/chats/${name}/messages`, { text: 'from bob' });
  await until(() => texts.length === 1, 3000, 'Alice has Bob\'s message');
  assert.deepEqual(texts, [{ text: 'from bob', offset: 6, recovered: true }], 'none of her own, no gap');
  assert.deepEqual(reports, []);
  assert.deepEqual(alice.errors, []);
  await proxy.close();
});

test('pushes that left the client out are not replayed after a cut: the next one follows, recovered, no gap', { timeout: 30000 }, async () => {
  const setup = await chatSetUp('excluded-resume');
  const { proxy, alice, bob, room, name, texts, bobTexts } = setup;
  await bob.post(`/chats/${name}/messages`, { text: 'first' });
  await until(() => texts.length === 1, 3000, 'the first message');
  // What the server sends Alice from here on is lost with the cut, so the resume must replay it.
  proxy.holdDownstream();
  for (let n = 1; n <= 3; n++) alice.post(`/chats/${name}/messages`, { text: `mine-${n}`, echo: false }).catch(() => {});
  await until(() => bobTexts.length === 4, 3000, 'Bob has her 3 messages');
  await bob.post(`/chats/${name}/messages`, { text: 'after' });
  await until(() => bobTexts.length === 5, 3000, 'Bob has his own');
  const { report } = await outage(setup, async () => {});
  assert.equal(report.resumed, true);
  assert.equal(report.rooms[room].recovered, true);
  assert.equal(report.rooms[room].offset, 5);
  assert.deepEqual(report.lost, []);
  await until(() => texts.length === 2, 3000, 'the replayed message');
  assert.deepEqual(texts, [{ text: 'first', offset: 1, recovered: true }, { text: 'after', offset: 5, recovered: true }]);
  await proxy.close();
});

test('a joined quiet room has a position: after a cut with 3 pushes meanwhile exactly those 3 are replayed, recovered', { timeout: 30000 }, async () => {
  const setup = await chatSetUp('quiet-3');
  const { proxy, bob, room, name, texts } = setup;
  const { report } = await outage(setup, async () => {
    for (let n = 1; n <= 3; n++) await bob.post(`/chats/${name}/messages`, { text: `missed-${n}` });
  });
  assert.equal(report.resumed, true);
  assert.equal(report.rooms[room].recovered, true);
  assert.equal(report.rooms[room].offset, 3);
  assert.deepEqual(report.lost, []);
  await until(() => texts.length === 3, 3000, 'the 3 replayed messages');
  assert.deepEqual(texts, [1, 2, 3].map((n) => ({ text: `missed-${n}`, offset: n, recovered: true })));
  await proxy.close();
});

test('a joined quiet room cut with nothing published meanwhile is recovered with no push', { timeout: 30000 }, async () => {
  const setup = await chatSetUp('quiet-0');
  const { proxy, room, texts } = setup;
  const { report } = await outage(setup, async () => {});
  assert.equal(report.resumed, true);
  assert.equal(report.rooms[room].recovered, true);
  assert.equal(report.rooms[room].offset, 0);
  assert.deepEqual(report.lost, []);
  await sleep(50);
  assert.deepEqual(texts, []);
  await proxy.close();
});

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
