// Driving the demo page (Examples/Demo/Public/index.html) in a cdp.mjs page: expressions that
// read what it shows, and its own controls for renaming, creating and chatting.

/** The connection state the page shows (`open`, `reconnecting (attempt n)`, …). */
export const state = `document.getElementById('state').textContent`;

/** The name shown for board `id` (undefined while it is not listed). */
export const boardName = (id) => `document.querySelector('#board-${id} .name')?.textContent`;

/** Who is online, as shown (`admin · 1 tabdemo · 1 tab`). */
export const online = `document.getElementById('online').textContent`;

/** The page's event log (pushes, `resumed: …`). */
export const log = `document.getElementById('log').textContent`;

/** True when each of `users` (`{demo: 1, admin: 1}`) is shown online with exactly that many tabs. */
export const onlineWith = (users) => Object.entries(users)
  .map(([user, tabs]) => `[...document.querySelectorAll('#online li')].some((item) => item.textContent === ${JSON.stringify(`${user} · ${tabs} tab${tabs === 1 ? '' : 's'}`)})`)
  .join(' && ');

/** True once the chat shows a line from `user` ending with `text`. */
export const chatLine = (user, text) =>
  `[...document.querySelectorAll('#chat .line')].some((line) => line.querySelector('.who').textContent === ${JSON.stringify(user)} && line.textContent.endsWith(${JSON.stringify(text)}))`;

/** Renames board `id` through the page's own controls. */
export async function rename(page, id, name) {
  await page.evaluate(`document.querySelector('#board-${id} button').click()`);
  await page.waitFor(`document.querySelector('#board-${id} input')`, { what: `the rename field of board ${id}` });
  await page.evaluate(`(() => {
    const row = document.getElementById('board-${id}');
    row.querySelector('input').value = ${JSON.stringify(name)};
    row.querySelector('button').click();
  })()`);
}

/** Creates a board through the page's form. */
export async function createBoard(page, name) {
  await page.evaluate(`document.getElementById('new-name').value = ${JSON.stringify(name)}; document.querySelector('#create button').click()`);
}

/** Sends a chat line through the page's form. */
export async function say(page, text) {
  await page.evaluate(`document.getElementById('text').value = ${JSON.stringify(text)}; document.querySelector('#say button').click()`);
}

/**
 * The errors `page` logged, less the browser's own lines for sockets that found no server during
 * one of `outages` (`{start, end}` in ms since 1970; a second of slack after the end).
 */
export function unexpectedErrors(page, outages) {
  return page.errors.filter((error) => !(
    error.kind === 'log:network' && /^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws\?.*' failed/.test(error.text)
    && outages.some(({ start, end }) => error.at >= start && error.at <= end + 1000)
  ));
}
