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
   * The server accepts the handshake and answers the client's first request (the probe that
   * tells an open connection from a refusal told as a close); the probe is not kept in `sent`.
   */
  accept() {
    this.open();
    const probe = this.frames()[0];
    if (!probe || probe.kind !== 'request' || probe.url !== '/_switchboard/client') throw new Error('the client sent no probe after the upgrade');
    this.sent.splice(0, 1);
    this.receive({ kind: 'response', id: probe.id, status: 204, url: '', data: '' });
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
