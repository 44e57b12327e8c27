// The demo page in headless Chromium, end to end: two users sign in, a rename in one page shows
// in the other, the server restarts on the same port and both pages show reconnecting, then
// open, and keep working; a page cut off without a close frame resumes what it missed; no
// console errors. Screenshots go to .build/browser-artifacts/.
// Run by Scripts/browser-tests.sh (which builds the demo and finds chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './cdp.mjs';
import { state, boardName, log, onlineWith, chatLine, rename, createBoard, say, unexpectedErrors } from './demo-page.mjs';
import { startDemo, freePort } from '../../Clients/JavaScript/test/support/demo-server.js';
import { tcpProxy } from '../../Clients/JavaScript/test/support/tcp-proxy.js';
import { SwitchboardClient } from '../../Clients/JavaScript/switchboard.js';

const artifacts = fileURLToPath(new URL('../../.build/browser-artifacts/', import.meta.url));

test('two users in Chromium: pushes, presence, a server restart and back, no console errors', { timeout: 80000 }, async (t) => {
  mkdirSync(artifacts, { recursive: true });
  const port = await freePort();
  let demo = await startDemo(port);
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await demo.stop();
  });
  const user = await browser.newPage({ width: 1200, height: 820, name: 'demo (1200 px)' });
  const admin = await browser.newPage({ width: 420, height: 900, name: 'admin (420 px)' });
  const pages = [user, admin];
  await user.goto(`http://127.0.0.1:${port}/?token=demo-token`);
  await admin.goto(`http://127.0.0.1:${port}/?token=admin-token`);

  for (const page of pages) {
    await page.waitFor(`${state} === 'open' && ${boardName(1)} === 'Roadmap'`, { what: 'open with the board list' });
    await page.waitFor(onlineWith({ demo: 1, admin: 1 }), { what: 'both users online, one tab each' });
  }
  assert.equal(await user.evaluate(`document.getElementById('who').textContent`), 'signed in as demo');
  assert.equal(await admin.evaluate(`document.getElementById('who').textContent`), 'signed in as admin (admin)');
  assert.equal(await admin.evaluate(`innerWidth`), 420);
  assert.equal(await admin.evaluate(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`), true, 'nothing wider than the 420 px window');

  // A rename in one page is pushed to the other as a merge patch.
  await rename(user, 1, 'Roadmap 2027');
  await admin.waitFor(`${boardName(1)} === 'Roadmap 2027'`, { what: 'the rename pushed to admin' });
  // The renaming page shows the name once its own PUT is answered, which may come after the push.
  await user.waitFor(`${boardName(1)} === 'Roadmap 2027'`, { what: 'the rename in the renaming page' });

  // A creation and a chat line reach the other user too.
  await createBoard(admin, 'Launch');
  await user.waitFor(`${boardName(3)} === 'Launch'`, { what: 'the created board pushed to demo' });
  await say(user, 'hello admin');
  await admin.waitFor(chatLine('demo', 'hello admin'), { what: 'the chat line from demo' });

  // Presence counts tabs: a second tab of demo, then closing it.
  const secondTab = await browser.newPage({ width: 800, height: 600, name: 'demo, second tab' });
  await secondTab.goto(`http://127.0.0.1:${port}/?token=demo-token`);
  await admin.waitFor(onlineWith({ demo: 2 }), { what: 'demo with 2 tabs' });
  assert.deepEqual(secondTab.errors, []);
  await secondTab.close();
  await admin.waitFor(onlineWith({ demo: 1 }), { what: 'demo back to 1 tab' });

  // The server goes away: both pages show reconnecting, then open again on the new server.
  await demo.kill();
  const outageStart = Date.now();
  for (const page of pages) {
    const shown = await page.waitFor(`${state}.startsWith('reconnecting (attempt ') && ${state}`, { what: 'reconnecting' });
    assert.match(shown, /^reconnecting \(attempt \d+\)$/);
  }
  demo = await startDemo(port);
  for (const page of pages) {
    await page.waitFor(`${state} === 'open' && ${boardName(1)} === 'Roadmap'`, { timeout: 20000, what: 'open again with the new server\'s boards' });
  }
  const outageEnd = Date.now();
  for (const page of pages) {
    await page.waitFor(onlineWith({ demo: 1, admin: 1 }), { what: 'presence again after the restart' });
  }

  // And they keep working: another rename propagates, the other way round.
  await rename(admin, 2, 'Bugs after restart');
  await user.waitFor(`${boardName(2)} === 'Bugs after restart'`, { what: 'the rename pushed to demo after the restart' });

  await user.screenshot(`${artifacts}demo-user-1200.png`);
  await admin.screenshot(`${artifacts}admin-420.png`);

  // Only the browser's own lines for sockets that found no server, while it was down, are allowed.
  for (const page of pages) {
    const unexpected = unexpectedErrors(page, [{ start: outageStart, end: outageEnd }]);
    assert.deepEqual(unexpected, [], `${page.name} logged errors`);
    t.diagnostic(`${page.name}: ${page.errors.length - unexpected.length} browser line(s) for sockets refused while the server was down`);
  }
});

test('a page whose TCP connection is cut without a close frame resumes: the changes it missed are replayed, in order', { timeout: 60000 }, async (t) => {
  const demo = await startDemo(await freePort());
  const proxy = await tcpProxy(demo.port);
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await proxy.close();
    await demo.stop();
  });
  const page = await browser.newPage({ width: 1000, height: 800, name: 'demo through a proxy' });
  await page.goto(`http://127.0.0.1:${proxy.port}/?token=demo-token`);
  await page.waitFor(`${state} === 'open' && ${boardName(1)} === 'Roadmap'`, { what: 'open with the board list' });
  const admin = new SwitchboardClient(demo.url, { token: 'admin-token' });
  t.after(() => admin.close());
  await admin.connect();

  const outageStart = Date.now();
  proxy.cut();
  await page.waitFor(`${state}.startsWith('reconnecting')`, { what: 'reconnecting' });
  for (let n = 1; n <= 5; n++) await admin.put('/boards/1', { name: `Roadmap v${n}` });
  const created = (await admin.post('/boards', { name: 'Made meanwhile' })).json();
  const requests = await page.evaluate(`performance.getEntriesByType('resource').length`);
  proxy.restore();
  await page.waitFor(`${state} === 'open' && ${log}.includes('resumed: ')`, { timeout: 20000, what: 'open again, resumed' });
  const outageEnd = Date.now();
  await page.waitFor(`${boardName(1)} === 'Roadmap v5' && ${boardName(created.id)} === 'Made meanwhile'`, { what: 'the missed rename and creation replayed' });
  const renames = [...(await page.evaluate(log)).matchAll(/\/boards\/1\/updated \{"name":"(Roadmap v\d)"/g)].map((match) => match[1]);
  assert.deepEqual(renames, ['Roadmap v1', 'Roadmap v2', 'Roadmap v3', 'Roadmap v4', 'Roadmap v5'], 'each missed rename arrived as a push, once');
  // The chat room, joined without a message yet, has no position to resume from: only it is lost.
  assert.doesNotMatch(await page.evaluate(log), /not recovered:[^\n]*board/);
  assert.equal(await page.evaluate(`performance.getEntriesByType('resource').length`), requests, 'no page reload');
  // Live again: the replayed creation is followed like any other board.
  await admin.put(`/boards/${created.id}`, { name: 'Renamed live' });
  await page.waitFor(`${boardName(created.id)} === 'Renamed live'`, { what: 'a live rename of the new board' });
  assert.deepEqual(unexpectedErrors(page, [{ start: outageStart, end: outageEnd }]), [], 'no console errors');
});
