// A scriptable stand-in for a browser WebSocket, for tests that need the server to misbehave.
import { decodeFrame, encodeFrame } from '../../switchboard.js';

/** A WebSocket double: the test opens, closes and answers it by hand. */
export class FakeSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;

  constructor(url, protocol) {
    super();
    this.url = url;
    this.protocol = protocol;
    this.readyState = FakeSocket.CONNECTING;
    this.sent = [];
    this.closedWith = undefined;
  }

  send(data) {
    if (this.failSends) throw new Error('send failed');
    this.sent.push(data);
  }

  close(code, reason) {
    this.closedWith = { code, reason };
    this.readyState = FakeSocket.CLOSED;
  }

  // What a test does with it.

  /** The server accepts the handshake. */
  open() {
    this.readyState = FakeSocket.OPEN;
    this.dispatchEvent(new Event('open'));
  }

  /**
   * The server accepts the handshake and sends HELLO (`hello` overrides its members). A RESUME
   * the client sent first (a reconnect) is taken out of `sent`, kept as `resumeRequest` (its
   * data parsed) and answered 200 with `resume`, by default the session resumed and every named
   * room recovered at the position the client gave.
   */
  accept({ hello = {}, resume } = {}) {
    this.open();
    const notice = { clientId: 'demo.tab', connectionId: 'connection-1', resumeToken: 'token-1', sessionGraceMs: 120000, sessionId: 'session-1', ...hello };
    this.receive({ kind: 'control', control: 'HELLO', id: 0, url: '', data: JSON.stringify(notice) });
    const first = this.frames()[0];
    if (first?.kind !== 'control' || first.control !== 'RESUME') return;
    this.sent.splice(0, 1);
    this.resumeRequest = { id: first.id, ...JSON.parse(new TextDecoder().decode(first.data)) };
    const rooms = Object.fromEntries(Object.entries(this.resumeRequest.rooms).map(([room, position]) => [room, { ...position, recovered: true }]));
    const answer = resume ?? { resumeToken: 'token-2', resumed: true, rooms, sessionId: notice.sessionId };
    this.receive({ kind: 'response', id: first.id, status: 200, url: '', data: typeof answer === 'string' ? answer : JSON.stringify(answer) });
  }

  /** The server refuses after the upgrade (`refusal=close`): closes with 4000 + `status`. */
  refuse(status, reason) {
    this.open();
    this.readyState = FakeSocket.CLOSED;
    const event = new Event('close');
    event.code = 4000 + status;
    event.reason = reason;
    this.dispatchEvent(event);
  }

  /** The connection drops (or the handshake is refused, when it was never opened). */
  drop() {
    this.readyState = FakeSocket.CLOSED;
    this.dispatchEvent(new Event('close'));
  }

  /** The server sends a frame. */
  receive(frame) {
    const event = new Event('message');
    event.data = encodeFrame(frame).buffer;
    this.dispatchEvent(event);
  }

  /** The frames the client sent, decoded. */
  frames() {
    return this.sent.map((data) => decodeFrame(data));
  }
}

/** A WebSocket constructor whose instances are recorded, for the client's `WebSocket` option. */
export function fakeWebSocketClass() {
  const sockets = [];
  class Recorded extends FakeSocket {
    constructor(url, protocol) {
      super(url, protocol);
      sockets.push(this);
    }
  }
  return { WebSocket: Recorded, sockets };
}

/**
 * Resolves once `predicate()` holds, polling every few ms (with setImmediate while the test
 * mocks setTimeout); rejects after `timeout` ms.
 */
export async function until(predicate, timeout = 2000, what = 'condition') {
  const deadline = Date.now() + timeout;
  const timersMocked = typeof setTimeout.mock === 'object' || setTimeout.name !== 'setTimeout';
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => (timersMocked ? setImmediate(resolve) : setTimeout(resolve, 5)));
  }
}
