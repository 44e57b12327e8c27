// The demo as a cluster in headless Chromium: redis-server and two demo nodes
// (`switchboard-demo --redis …`), one page on each. Across the nodes: presence, board renames and
// creations (the same boards under the same ids, kept in Redis), chat lines. Then node 2 is
// killed (SIGKILL) and started again on the same port: its page reconnects, resumes, and pushes
// cross the nodes again both ways; a page loaded afresh from it shows the cluster's boards.
// Screenshots go to .build/browser-artifacts/.
// Run by Scripts/browser-tests.sh. Without redis-server the test is skipped, unless CI is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './cdp.mjs';
import { state, boardName, log, onlineWith, chatLine, rename, createBoard, say, unexpectedErrors } from './demo-page.mjs';
import { startRedis, redisServerInstalled } from './redis-server.mjs';
import { startDemo, freePort } from '../../Clients/JavaScript/test/support/demo-server.js';

const artifacts = fileURLToPath(new URL('../../.build/browser-artifacts/', import.meta.url));
const missingRedis = !redisServerInstalled() && !process.env.CI;
if (missingRedis) process.stderr.write('cluster.test.mjs: SKIPPED: redis-server is not installed (apt-get install -y redis-server); with CI set this fails instead\n');

test('two demo nodes joined by Redis, a page on each: pushes and presence cross the nodes, and a node killed and restarted rejoins', { timeout: 90000, skip: missingRedis && 'redis-server is not installed' }, async (t) => {
  assert.ok(redisServerInstalled(), 'redis-server is not installed (apt-get install -y redis-server); CI is set, so this fails instead of skipping');
  mkdirSync(artifacts, { recursive: true });
  const redis = await startRedis();
  const args = ['--redis', redis.url];
  const [port1, port2] = [await freePort(), await freePort()];
  const node1 = await startDemo(port1, { args });
  let node2 = await startDemo(port2, { args });
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await node1.stop();
    await node2.stop();
    await redis.stop();
  });
  const user = await browser.newPage({ width: 1000, height: 820, name: `demo on node 1 (:${port1})` });
  const admin = await browser.newPage({ width: 1000, height: 820, name: `admin on node 2 (:${port2})` });
  const pages = [user, admin];
  await user.goto(`http://127.0.0.1:${port1}/?token=demo-token`);
  await admin.goto(`http://127.0.0.1:${port2}/?token=admin-token`);

  // The same boards on both nodes, and each page sees the other node's user.
  for (const page of pages) {
    await page.waitFor(`${state} === 'open' && ${boardName(1)} === 'Roadmap' && ${boardName(2)} === 'Bugs' && !${boardName(3)}`, { what: 'open with the two initial boards' });
    await page.waitFor(onlineWith({ demo: 1, admin: 1 }), { what: 'both users online, one tab each, across the nodes' });
  }

  // A rename on node 1 reaches the page on node 2, and one on node 2 of the same board id
  // renames the same board.
  await rename(user, 1, 'Roadmap 2027');
  await admin.waitFor(`${boardName(1)} === 'Roadmap 2027'`, { what: 'the rename from node 1' });
  await rename(admin, 2, 'Bugs (triaged)');
  await user.waitFor(`${boardName(2)} === 'Bugs (triaged)'`, { what: 'the rename from node 2' });
  assert.equal(await admin.evaluate(boardName(1)), 'Roadmap 2027', 'node 2 renamed board 2, not board 1');

  // A board created on node 2 gets the next id of the cluster, and node 1 finds it under that id.
  await createBoard(admin, 'Launch');
  await user.waitFor(`${boardName(3)} === 'Launch'`, { what: 'the board created on node 2' });
  await rename(user, 3, 'Launch day');
  await admin.waitFor(`${boardName(3)} === 'Launch day'`, { what: 'node 1\'s rename of the board created on node 2' });
  await createBoard(user, 'Retro');
  await admin.waitFor(`${boardName(4)} === 'Retro'`, { what: 'the board created on node 1, with the next id' });

  // A chat line from node 2 reaches node 1.
  await say(admin, 'hello from node 2');
  await user.waitFor(chatLine('admin', 'hello from node 2'), { what: 'the chat line from node 2' });

  // Node 2 dies without a word. Its page shows reconnecting; node 1 goes on, and a rename made
  // meanwhile is kept in Redis and in the board's history.
  await node2.kill();
  const outageStart = Date.now();
  const shown = await admin.waitFor(`${state}.startsWith('reconnecting (attempt ') && ${state}`, { what: 'reconnecting' });
  assert.match(shown, /^reconnecting \(attempt \d+\)$/);
  assert.equal(await user.evaluate(state), 'open');
  await rename(user, 1, 'Roadmap while node 2 was down');
  await user.waitFor(`${boardName(1)} === 'Roadmap while node 2 was down'`, { what: 'the rename on node 1 during the outage' });

  // Node 2 again, on the same port: the page reconnects, resumes its session from Redis, and
  // shows what changed meanwhile; the boards are still the cluster's, not new ones.
  node2 = await startDemo(port2, { args });
  await admin.waitFor(`${state} === 'open' && ${log}.includes('resumed: ')`, { timeout: 20000, what: 'open again, resumed' });
  const outageEnd = Date.now();
  await admin.waitFor(`${boardName(1)} === 'Roadmap while node 2 was down'`, { what: 'the rename made while node 2 was down' });
  assert.equal(await admin.evaluate(boardName(3)), 'Launch day');
  assert.equal(await admin.evaluate(boardName(4)), 'Retro');
  const resumed = (await admin.evaluate(log)).match(/resumed: [^\n]*/g).at(-1);
  t.diagnostic(`node 2's page after the restart: ${resumed}`);
  assert.doesNotMatch(resumed, /not recovered:[^\n]*board/, 'the board rooms resumed from their histories in Redis');

  // Presence settles on one tab each (the dead node's count expires with its lease).
  for (const page of pages) {
    await page.waitFor(onlineWith({ demo: 1, admin: 1 }), { timeout: 30000, what: 'both users online again, one tab each' });
  }
  t.diagnostic(`presence settled ${Date.now() - outageStart} ms after node 2 was killed`);

  // Pushes cross the nodes again, both ways.
  await rename(admin, 2, 'Bugs after the restart');
  await user.waitFor(`${boardName(2)} === 'Bugs after the restart'`, { what: 'a rename from the restarted node 2' });
  await rename(user, 4, 'Retro after the restart');
  await admin.waitFor(`${boardName(4)} === 'Retro after the restart'`, { what: 'a rename from node 1 to the restarted node 2' });
  await say(user, 'welcome back, node 2');
  await admin.waitFor(chatLine('demo', 'welcome back, node 2'), { what: 'a chat line from node 1 to the restarted node 2' });
  await say(admin, 'glad to be back');
  await user.waitFor(chatLine('admin', 'glad to be back'), { what: 'a chat line from the restarted node 2' });

  // A page loaded afresh from the restarted node 2 reads the cluster's boards, as they are now.
  const fresh = await browser.newPage({ width: 800, height: 600, name: `a new page on node 2 (:${port2})` });
  await fresh.goto(`http://127.0.0.1:${port2}/?token=demo-token`);
  await fresh.waitFor(`${state} === 'open' && ${boardName(1)} === 'Roadmap while node 2 was down' && ${boardName(2)} === 'Bugs after the restart'`
    + ` && ${boardName(3)} === 'Launch day' && ${boardName(4)} === 'Retro after the restart' && !${boardName(5)}`, { what: 'the boards as changed on both nodes' });
  assert.deepEqual(fresh.errors, [], `${fresh.name} logged errors`);
  await fresh.close();

  await user.screenshot(`${artifacts}cluster-node1-demo.png`);
  await admin.screenshot(`${artifacts}cluster-node2-admin.png`);

  // Only node 2's page may log the browser's lines for sockets refused while node 2 was down.
  assert.deepEqual(unexpectedErrors(user, []), [], `${user.name} logged errors`);
  const unexpected = unexpectedErrors(admin, [{ start: outageStart, end: outageEnd }]);
  assert.deepEqual(unexpected, [], `${admin.name} logged errors`);
  t.diagnostic(`${admin.name}: ${admin.errors.length - unexpected.length} browser line(s) for sockets refused while node 2 was down`);
});
