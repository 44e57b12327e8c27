// A small Chrome DevTools Protocol driver for headless Chromium, on Node's global WebSocket
// (Node 20: --experimental-websocket). No npm packages: launch, pages, evaluate, screenshots,
// and the console errors of each page.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Starts headless Chromium and connects to its browser target. */
export async function launchChromium({ binary = process.env.CHROMIUM ?? 'chromium', timeout = 20000 } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'switchboard-chromium-'));
  const child = spawn(binary, [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--no-default-browser-check', '--disable-extensions', '--disable-background-networking',
    '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  // Its own process group, so that its helper processes end with it.
  const killOnExit = () => killGroup(child);
  process.once('exit', killOnExit);
  let output = '';
  const endpoint = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chromium printed no DevTools endpoint within ${timeout} ms:\n${output}`)), timeout);
    child.stderr.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/DevTools listening on (ws:\/\/\S+)/);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`chromium exited with ${code}:\n${output}`)); });
  });
  child.stderr.resume();
  const socket = new WebSocket(endpoint);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot connect to ${endpoint}`)), { once: true });
  });
  return new Browser(child, socket, userDataDir, () => process.off('exit', killOnExit));
}

function killGroup(child) {
  try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
}

class Browser {
  #nextId = 1;
  #pending = new Map();
  #listeners = new Set();

  constructor(child, socket, userDataDir, forget) {
    this.child = child;
    this.socket = socket;
    this.userDataDir = userDataDir;
    this.forget = forget;
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) pending?.reject(new Error(`${pending.method}: ${message.error.message}`));
        else pending?.resolve(message.result);
      } else {
        for (const listener of this.#listeners) listener(message);
      }
    });
  }

  /** Sends one CDP command (to a page when `sessionId` is given). */
  send(method, params = {}, sessionId) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  onEvent(listener) { this.#listeners.add(listener); }

  /** A new page (tab) of `width` × `height` CSS pixels. */
  async newPage({ width = 1200, height = 800, name = 'page' } = {}) {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId, name);
    page.targetId = targetId;
    await page.init(width, height);
    return page;
  }

  /** Closes the browser (gracefully, then by killing its process group) and removes its profile. */
  async close() {
    const exited = this.child.exitCode !== null || this.child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => this.child.once('exit', resolve));
    this.send('Browser.close').catch(() => {});
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    this.socket.close();
    killGroup(this.child);
    await exited;
    this.forget();
    try {
      rmSync(this.userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (error) {
      process.stderr.write(`cdp.mjs: could not remove ${this.userDataDir}: ${error.message}\n`);
    }
  }
}

/** One page: navigation, evaluation in the page, screenshots, and what it logged as errors. */
class Page {
  /** Console errors, uncaught exceptions and browser log errors, each `{kind, text, at}`. */
  errors = [];

  constructor(browser, sessionId, name) {
    this.browser = browser;
    this.sessionId = sessionId;
    this.name = name;
    browser.onEvent(({ method, params, sessionId: from }) => {
      if (from !== sessionId) return;
      if (method === 'Runtime.consoleAPICalled' && (params.type === 'error' || params.type === 'assert')) {
        this.errors.push({ kind: 'console', text: params.args.map((arg) => arg.value ?? arg.description ?? '').join(' '), at: Date.now() });
      } else if (method === 'Runtime.exceptionThrown') {
        const details = params.exceptionDetails;
        this.errors.push({ kind: 'exception', text: details.exception?.description ?? details.text, at: Date.now() });
      } else if (method === 'Log.entryAdded' && params.entry.level === 'error') {
        this.errors.push({ kind: `log:${params.entry.source}`, text: params.entry.text, url: params.entry.url, at: Date.now() });
      } else if (method === 'Page.loadEventFired') {
        this.loaded?.();
      }
    });
  }

  send(method, params) { return this.browser.send(method, params, this.sessionId); }

  async init(width, height) {
    await this.send('Runtime.enable');
    await this.send('Log.enable');
    await this.send('Page.enable');
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
  }

  /** Navigates and resolves after the load event. */
  async goto(url, timeout = 15000) {
    const loaded = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: ${url} did not load within ${timeout} ms`)), timeout);
      this.loaded = () => { clearTimeout(timer); resolve(); };
    });
    await this.send('Page.navigate', { url });
    await loaded;
  }

  /** The value of `expression` (awaited when it is a promise); throws what the page threw. */
  async evaluate(expression) {
    const { result, exceptionDetails } = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) throw new Error(`${this.name}: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value;
  }

  /** Polls `expression` until it is truthy; resolves with its value, rejects after `timeout`. */
  async waitFor(expression, { timeout = 10000, what = expression } = {}) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      last = await this.evaluate(expression).catch((error) => error);
      if (last && !(last instanceof Error)) return last;
      if (Date.now() > deadline) throw new Error(`${this.name}: timed out waiting for ${what} (last: ${last})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Closes the page (its tab). */
  async close() {
    await this.browser.send('Target.closeTarget', { targetId: this.targetId });
  }

  /** Saves a PNG of the whole page. */
  async screenshot(path) {
    // A tab in the background may not paint: capturing it would wait for a frame.
    await this.send('Page.bringToFront');
    const { cssContentSize } = await this.send('Page.getLayoutMetrics');
    const clip = { x: 0, y: 0, width: Math.ceil(cssContentSize.width), height: Math.ceil(cssContentSize.height), scale: 1 };
    const { data } = await this.send('Page.captureScreenshot', { format: 'png', clip, captureBeyondViewport: true });
    writeFileSync(path, Buffer.from(data, 'base64'));
  }
}
