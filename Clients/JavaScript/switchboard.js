// Switchboard browser client: one dependency-free ES module.
//
// Sections, in order:
//   1. Errors            typed errors every promise of this module rejects with
//   2. Wire codec        encode/decode of every frame of PROTOCOL.md (version 1)
//   3. Safe send         safeSendWebSocket() for a plain WebSocket
//   4. Small pieces      stores, url patterns, backoff, bodies and responses
//   5. Client            SwitchboardClient: requests, messages, pushes, rooms, reconnect
//
// switchboard.d.ts documents every export; README.md ("JavaScript client") shows it in use.

// ---------------------------------------------------------------------------------------------
// 1. Errors
// ---------------------------------------------------------------------------------------------

/** Base class of every error this module rejects with. */
export class SwitchboardError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request got no response, or a queued item was not sent, in time. */
export class TimeoutError extends SwitchboardError {
  constructor(message, ms) {
    super(message);
    this.ms = ms;
  }
}

/** The server answered with a status of 400 or more (or sent an ERROR frame for the request). */
export class StatusError extends SwitchboardError {
  constructor(status, message, response) {
    super(message);
    this.status = status;
    this.response = response;
  }
}

/** The connection dropped while a request that may not be repeated was in flight. */
export class ConnectionLostError extends SwitchboardError {}

/** The WebSocket could not be opened (refused handshake or unreachable server). */
export class HandshakeRefusedError extends SwitchboardError {
  constructor(status, reason) {
    super(`handshake refused (status ${status}): ${reason}`);
    this.status = status;
    this.reason = reason;
  }
}

/** The client was closed with close(), or gave up reconnecting. */
export class ClosedError extends SwitchboardError {}

/** The queue of items waiting for the connection is full. */
export class QueueFullError extends SwitchboardError {}

/** Bytes that are not a valid frame, or a frame that cannot be encoded. */
export class FrameError extends SwitchboardError {}

// ---------------------------------------------------------------------------------------------
// 2. Wire codec (PROTOCOL.md §2–§9)
// ---------------------------------------------------------------------------------------------

/** The WebSocket subprotocol of protocol version 1. */
export const SUBPROTOCOL = 'switchboard.v1';
/** The longest url a frame may carry, in bytes. */
export const MAX_URL_LENGTH = 2048;
/** The longest room name a frame may carry, in bytes. */
export const MAX_ROOM_LENGTH = 255;

/** Request method → kind byte. */
export const METHODS = Object.freeze({ GET: 0x01, POST: 0x02, PUT: 0x03, PATCH: 0x04, DELETE: 0x05, HEAD: 0x06, OPTIONS: 0x07 });
/** Reserved control frame → kind byte. */
export const CONTROLS = Object.freeze({ HELLO: 0x40, RESUME: 0x41, SUBSCRIBE: 0x42, UNSUBSCRIBE: 0x43 });
const RESPONSE = 0x10, ERROR = 0x11, PUSH = 0x20, MESSAGE = 0x21, ACK = 0x22, BATCH = 0x30;
const PIPE = 0x7c;
const REQUEST_HEADER = 6, PUSH_HEADER = 14, BATCH_HEADER = 6;
const METHOD_NAMES = invert(METHODS);
const CONTROL_NAMES = invert(CONTROLS);

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

function invert(table) {
  return Object.fromEntries(Object.entries(table).map(([name, byte]) => [byte, name]));
}

function hex(byte) {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

/** The status byte of an HTTP status: `class << 5 | detail`; a detail above 31 becomes `x00`. */
export function statusToByte(status) {
  const statusClass = Math.floor(status / 100);
  if (!Number.isInteger(status) || statusClass < 1 || statusClass > 5) {
    throw new FrameError(`status ${status} cannot be sent: the class must be 1 to 5`);
  }
  const detail = status % 100;
  return (statusClass << 5) | (detail > 31 ? 0 : detail);
}

/** The HTTP status of a status byte; throws `unknown status byte 0x..` for class 0, 6 or 7. */
export function byteToStatus(byte) {
  const statusClass = byte >> 5;
  if (statusClass < 1 || statusClass > 5) throw new FrameError(`unknown status byte 0x${hex(byte)}`);
  return statusClass * 100 + (byte & 0x1f);
}

/**
 * A url or room made valid for the wire: UTF-8 bytes outside `!`…`~`, and `|`, become `%XX`.
 * Everything else is kept, `%` included, so text that is already percent-encoded stays as it is.
 */
export function encodeWireText(text) {
  let out = '';
  for (const byte of utf8Encoder.encode(text)) {
    out += byte > 0x20 && byte < 0x7f && byte !== PIPE ? String.fromCharCode(byte) : '%' + hex(byte);
  }
  return out;
}

/**
 * A value made safe as one path segment or query value: every byte outside RFC 3986's
 * unreserved set (`A-Z a-z 0-9 - . _ ~`) becomes `%XX`, as the server's own encoder does.
 */
export function encodeSegment(value) {
  let out = '';
  for (const byte of utf8Encoder.encode(String(value))) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : '%' + hex(byte);
  }
  return out;
}

function validateText(name, text, max) {
  const bytes = utf8Encoder.encode(text);
  for (let offset = 0; offset < bytes.length; offset++) {
    const byte = bytes[offset];
    if (!(byte > 0x20 && byte < 0x7f) || byte === PIPE) throw invalidByte(name, byte, offset);
  }
  if (bytes.length > max) throw new FrameError(`${name} too long: ${bytes.length} bytes, maximum ${max}`);
  return bytes;
}

function invalidByte(name, byte, offset) {
  return new FrameError(`invalid byte 0x${hex(byte)} in ${name} at offset ${offset} (allowed: '!'...'~' except '|'; percent-encode the rest)`);
}

/** Bytes of a frame's data: Uint8Array as is, strings as UTF-8, nothing as empty. */
function dataBytes(data) {
  if (data === undefined || data === null) return new Uint8Array(0);
  if (typeof data === 'string') return utf8Encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new FrameError('frame data must be a Uint8Array, an ArrayBuffer or a string');
}

/** Appends bytes to a growing list of chunks. */
class ByteWriter {
  constructor() { this.chunks = []; this.length = 0; }
  bytes(bytes) { this.chunks.push(bytes); this.length += bytes.length; }
  u8(value) { this.bytes(Uint8Array.of(value)); }
  u32(value) {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    this.bytes(out);
  }
  u64(value) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(value));
    this.bytes(out);
  }
  text(name, text, max) { this.u8(PIPE); this.bytes(validateText(name, text, max)); }
  result() {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) { out.set(chunk, at); at += chunk.length; }
    return out;
  }
}

/**
 * A frame's bytes. Frames are plain objects, one shape per kind (see switchboard.d.ts `Frame`).
 * Urls and rooms must already be valid wire text (see encodeWireText); invalid ones throw.
 */
export function encodeFrame(frame) {
  const out = new ByteWriter();
  writeFrame(frame, out);
  return out.result();
}

function writeFrame(frame, out) {
  switch (frame.kind) {
    case 'request': {
      const byte = METHODS[frame.method];
      if (byte === undefined) throw new FrameError(`unknown method ${frame.method}`);
      writeRequestLike(out, byte, 0, frame);
      break;
    }
    case 'response': writeRequestLike(out, RESPONSE, statusToByte(frame.status), frame); break;
    case 'error': writeRequestLike(out, ERROR, statusToByte(frame.status), frame); break;
    case 'message': writeRequestLike(out, MESSAGE, 0, frame); break;
    case 'control': {
      const byte = CONTROLS[frame.control];
      if (byte === undefined) throw new FrameError(`unknown control frame ${frame.control}`);
      writeRequestLike(out, byte, 0, frame);
      break;
    }
    case 'push':
      writePushHeader(out, PUSH, frame);
      out.text('url', frame.url, MAX_URL_LENGTH);
      out.text('room', frame.room, MAX_ROOM_LENGTH);
      out.u8(PIPE);
      out.bytes(dataBytes(frame.data));
      break;
    case 'ack':
      writePushHeader(out, ACK, frame);
      out.text('room', frame.room, MAX_ROOM_LENGTH);
      out.u8(PIPE);
      break;
    case 'batch':
      out.u8(BATCH);
      out.u8(0);
      out.u32(frame.frames.length);
      frame.frames.forEach((inner, index) => {
        if (inner.kind === 'batch') throw new FrameError('a batch may not contain a batch');
        let bytes;
        try {
          bytes = encodeFrame(inner);
        } catch (error) {
          throw new FrameError(`batch frame ${index}: ${error.message}`);
        }
        out.u32(bytes.length);
        out.bytes(bytes);
      });
      break;
    default:
      throw new FrameError(`unknown frame kind ${frame.kind}`);
  }
}

function writeRequestLike(out, kindByte, statusByte, frame) {
  out.u8(kindByte);
  out.u8(statusByte);
  out.u32(frame.id ?? 0);
  out.text('url', frame.url ?? '', MAX_URL_LENGTH);
  out.u8(PIPE);
  out.bytes(dataBytes(frame.data));
}

function writePushHeader(out, kindByte, frame) {
  out.u8(kindByte);
  out.u8(0);
  out.u32(frame.epoch ?? 0);
  out.u64(frame.offset ?? 0);
}

function kindName(byte) {
  if (METHOD_NAMES[byte]) return METHOD_NAMES[byte];
  if (CONTROL_NAMES[byte]) return CONTROL_NAMES[byte];
  return { [RESPONSE]: 'RESPONSE', [ERROR]: 'ERROR', [PUSH]: 'PUSH', [MESSAGE]: 'MESSAGE', [ACK]: 'ACK', [BATCH]: 'BATCH' }[byte];
}

/**
 * Decodes one WebSocket message (ArrayBuffer or Uint8Array) into a frame; data fields are views
 * into the input. Throws FrameError with the reason texts of PROTOCOL.md §5.
 */
export function decodeFrame(input) {
  return decode(dataBytes(input), false);
}

function decode(bytes, insideBatch) {
  if (bytes.length === 0) throw new FrameError('empty frame');
  const kindByte = bytes[0];
  const name = kindName(kindByte);
  if (name === undefined) throw new FrameError(`unknown frame kind byte 0x${hex(kindByte)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (kindByte === BATCH) {
    if (insideBatch) throw new FrameError('a batch may not contain a batch');
    return { kind: 'batch', frames: decodeBatch(bytes, view) };
  }
  if (kindByte === PUSH || kindByte === ACK) {
    checkHeader(name, bytes, PUSH_HEADER, false);
    const epoch = view.getUint32(2);
    const offset = safeNumber(view.getBigUint64(6));
    if (kindByte === PUSH) {
      const [url, afterUrl] = textField('url', MAX_URL_LENGTH, 'room', bytes, PUSH_HEADER);
      const [room, afterRoom] = textField('room', MAX_ROOM_LENGTH, 'data', bytes, afterUrl);
      return { kind: 'push', url, room, epoch, offset, data: bytes.subarray(afterRoom + 1) };
    }
    const [room, end] = textField('room', MAX_ROOM_LENGTH, 'end of ACK', bytes, PUSH_HEADER);
    const extra = bytes.length - end - 1;
    if (extra !== 0) throw new FrameError(`ACK frame carries ${extra} unexpected byte(s) of data`);
    return { kind: 'ack', room, epoch, offset };
  }
  const carriesStatus = kindByte === RESPONSE || kindByte === ERROR;
  checkHeader(name, bytes, REQUEST_HEADER, carriesStatus);
  const id = view.getUint32(2);
  const status = carriesStatus ? byteToStatus(bytes[1]) : undefined;
  const [url, afterUrl] = textField('url', MAX_URL_LENGTH, 'data', bytes, REQUEST_HEADER);
  const data = bytes.subarray(afterUrl + 1);
  if (METHOD_NAMES[kindByte]) return { kind: 'request', method: name, id, url, data };
  if (CONTROL_NAMES[kindByte]) return { kind: 'control', control: name, id, url, data };
  if (kindByte === MESSAGE) return { kind: 'message', id, url, data };
  return { kind: kindByte === RESPONSE ? 'response' : 'error', id, status, url, data };
}

function checkHeader(name, bytes, size, statusAllowed) {
  if (bytes.length < size) throw new FrameError(`truncated header: ${name} frame needs ${size} bytes, got ${bytes.length}`);
  if (!statusAllowed && bytes[1] !== 0) throw new FrameError(`${name} frame must have status byte 0x00, got 0x${hex(bytes[1])}`);
}

function safeNumber(big) {
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Reads `|text` at `at`; returns the text and the index of the `|` that ends it. */
function textField(name, max, next, bytes, at) {
  if (bytes[at] !== PIPE) throw new FrameError(`missing '|' before ${name}`);
  const start = at + 1;
  let index = start;
  while (index < bytes.length) {
    const byte = bytes[index];
    if (byte === PIPE) break;
    if (!(byte > 0x20 && byte < 0x7f)) throw invalidByte(name, byte, index - start);
    index += 1;
    if (index - start > max) throw new FrameError(`${name} too long: ${index - start} bytes, maximum ${max}`);
  }
  if (index >= bytes.length) throw new FrameError(`missing '|' before ${next}`);
  return [utf8Decoder.decode(bytes.subarray(start, index)), index];
}

function decodeBatch(bytes, view) {
  checkHeader('BATCH', bytes, BATCH_HEADER, false);
  const declared = view.getUint32(2);
  const frames = [];
  let index = BATCH_HEADER;
  while (index < bytes.length) {
    if (bytes.length - index < 4) throw new FrameError(`batch frame ${frames.length} runs past the end of the message`);
    const length = view.getUint32(index);
    index += 4;
    if (bytes.length - index < length) throw new FrameError(`batch frame ${frames.length} runs past the end of the message`);
    try {
      frames.push(decode(bytes.subarray(index, index + length), true));
    } catch (error) {
      if (error.message === 'a batch may not contain a batch') throw error;
      throw new FrameError(`batch frame ${frames.length}: ${error.message}`);
    }
    index += length;
  }
  if (frames.length !== declared) throw new FrameError(`batch declares ${declared} frame(s) but holds ${frames.length}`);
  return frames;
}

/** The one-line rendering of a frame for logs (PROTOCOL.md §8). */
export function describeFrame(frame) {
  const size = (data) => `(${dataBytes(data).length} bytes)`;
  const suffix = (url) => (url ? ' ' + url : '');
  switch (frame.kind) {
    case 'request': return `${frame.method} #${frame.id} ${frame.url} ${size(frame.data)}`;
    case 'response': return `RESPONSE #${frame.id} ${frame.status}${suffix(frame.url)} ${size(frame.data)}`;
    case 'error': return `ERROR #${frame.id} ${frame.status}${suffix(frame.url)} ${size(frame.data)}`;
    case 'message': return `MESSAGE #${frame.id} ${frame.url} ${size(frame.data)}`;
    case 'control': return `${frame.control} #${frame.id}${suffix(frame.url)} ${size(frame.data)}`;
    case 'push': return `PUSH ${frame.url} ${frame.room || '-'}@${frame.epoch}:${frame.offset} ${size(frame.data)}`;
    case 'ack': return `ACK ${frame.room}@${frame.epoch}:${frame.offset}`;
    case 'batch': return `BATCH ${frame.frames.length} frame${frame.frames.length === 1 ? '' : 's'}`;
    default: throw new FrameError(`unknown frame kind ${frame.kind}`);
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Safe send
// ---------------------------------------------------------------------------------------------

const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;

/** Per socket: messages waiting for 'open', the one timer for all of them, the one listener. */
const waitingForOpen = new WeakMap();

function isEmptyMessage(message) {
  if (message === null || message === undefined || message === '') return true;
  if (message instanceof ArrayBuffer || ArrayBuffer.isView(message)) return message.byteLength === 0;
  if (typeof Blob !== 'undefined' && message instanceof Blob) return message.size === 0;
  return false;
}

/**
 * Sends `message` on a plain WebSocket, or queues it while the socket connects. Resolves with a
 * success text, rejects with an Error whose message is the failure text (see switchboard.d.ts).
 */
export function safeSendWebSocket(wsClient, message, { queue = true, timeout = 5000 } = {}) {
  if (!wsClient) return Promise.reject(new Error('WebSocket client not initialized'));
  if (isEmptyMessage(message)) return Promise.reject(new Error('Message is empty or null'));
  switch (wsClient.readyState) {
    case OPEN:
      try {
        wsClient.send(message);
        return Promise.resolve('Message sent successfully');
      } catch (error) {
        return Promise.reject(new Error(`Failed to send message: ${error?.message ?? error}`));
      }
    case CLOSED: return Promise.reject(new Error('WebSocket is CLOSED - cannot send message'));
    case CLOSING: return Promise.reject(new Error('WebSocket is CLOSING - cannot send message'));
    case CONNECTING:
      if (!queue) return Promise.reject(new Error('WebSocket is CONNECTING and queuing is disabled'));
      return queueUntilOpen(wsClient, message, timeout);
    default:
      return Promise.reject(new Error(`WebSocket is in an unknown state (${wsClient.readyState}) - cannot send message`));
  }
}

function queueUntilOpen(socket, message, timeout) {
  let pending = waitingForOpen.get(socket);
  if (!pending) {
    pending = { items: [], timer: undefined };
    waitingForOpen.set(socket, pending);
    socket.addEventListener('open', () => flushWaiting(socket));
  }
  return new Promise((resolve, reject) => {
    pending.items.push({ message, resolve, reject });
    if (pending.items.length === 1) {
      pending.timer = setTimeout(() => {
        const items = pending.items.splice(0);
        pending.timer = undefined;
        const error = `Timeout waiting for WebSocket to open (${timeout}ms)`;
        for (const item of items) item.reject(new Error(error));
      }, timeout);
    }
  });
}

function flushWaiting(socket) {
  const pending = waitingForOpen.get(socket);
  if (!pending || pending.items.length === 0) return;
  clearTimeout(pending.timer);
  pending.timer = undefined;
  const items = pending.items.splice(0);
  let failed = 0;
  for (const item of items) {
    try {
      socket.send(item.message);
    } catch {
      failed += 1;
    }
  }
  const total = items.length;
  if (failed === 0) {
    const result = `Flushed ${total} queued ${total === 1 ? 'message(s)' : 'messages'}`;
    for (const item of items) item.resolve(result);
  } else {
    const result = `Flushed ${total - failed}/${total} messages (${failed} failed)`;
    for (const item of items) item.reject(new Error(result));
  }
}

// ---------------------------------------------------------------------------------------------
// 4. Small pieces: stores, url patterns, backoff, bodies, responses
// ---------------------------------------------------------------------------------------------

/** A writable store with the Svelte store contract: subscribe(fn) calls fn now and on each change. */
export function writable(initial) {
  let value = initial;
  const subscribers = new Set();
  return {
    get: () => value,
    set(next) {
      if (Object.is(next, value) && (typeof next !== 'object' || next === null)) return;
      value = next;
      for (const fn of [...subscribers]) fn(value);
    },
    subscribe(fn) {
      subscribers.add(fn);
      fn(value);
      return () => subscribers.delete(fn);
    },
  };
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first) with exponential backoff and
 * full jitter: `random() × min(maxDelay, minDelay × 2^attempt)`, in milliseconds.
 */
export function backoffDelay(attempt, { minDelay = 250, maxDelay = 30000 } = {}, random = Math.random) {
  const ceiling = Math.min(maxDelay, minDelay * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Compiles a listener pattern: static segments, `:name` (one segment, captured), `*` (one
 * segment) and a trailing `**` (the rest). Returns url → params or null. Captured segments are
 * percent-decoded; the url's query, if any, is ignored.
 */
export function compilePattern(pattern) {
  const parts = splitPath(pattern);
  return (url) => {
    const segments = splitPath(url.split('?')[0]);
    const params = {};
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part === '**' && i === parts.length - 1) {
        params['**'] = segments.slice(i).map(decodeSegment).join('/');
        return params;
      }
      if (i >= segments.length) return null;
      if (part.startsWith(':')) params[part.slice(1)] = decodeSegment(segments[i]);
      else if (part !== '*' && part !== segments[i]) return null;
    }
    return segments.length === parts.length ? params : null;
  };
}

function splitPath(path) {
  return path.replace(/^\/+|\/$/g, '').split('/').filter((segment, index, all) => segment !== '' || all.length > 1);
}

function decodeSegment(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Request and message bodies: bytes and strings as they are, anything else as JSON. */
function bodyBytes(body) {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    return dataBytes(body);
  }
  return utf8Encoder.encode(JSON.stringify(body));
}

function withBodyReaders(object) {
  object.text = () => utf8Decoder.decode(object.body);
  object.json = () => JSON.parse(utf8Decoder.decode(object.body));
  return object;
}

function errorReason(response) {
  try {
    const reason = response.json()?.error;
    if (typeof reason === 'string') return reason;
  } catch {
    // Not JSON: the status alone describes it.
  }
  return `HTTP ${response.status}`;
}

/**
 * JSON.parse that keeps `offset` members exact: integers of 16 digits or more become BigInt
 * (offsets are u64; a JSON number above 2^53 would lose digits as a double).
 */
/** Whether `room` is the client room of a random client id (`client-~…`, `client-<userId>.~…`): new on every connection, never resumed. */
function isRandomClientRoom(room) {
  return room.startsWith('client-') && room.includes('~');
}

function parseWithOffsets(text) {
  const quoted = text.replace(/("offset"\s*:\s*)(\d{16,})/g, '$1"$2"');
  return JSON.parse(quoted, (key, value) => (key === 'offset' && typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : value));
}

/** The query parameter the client adds to every handshake: refusals come as a close (§1.1). */
const REFUSAL_BY_CLOSE = 'refusal=close';

/**
 * The refusal a close event carries, or `null`: a server asked for `refusal=close` tells a
 * refused handshake by upgrading and closing at once with code 4000 + the HTTP status (4401,
 * 4403, 4503) and the reason.
 */
export function refusalFromClose(event) {
  const code = event?.code;
  if (typeof code !== 'number' || code < 4100 || code > 4599) return null;
  return { status: code - 4000, reason: event.reason ?? '' };
}

/**
 * What the client says when a WebSocket failed without upgrading: the server could not be
 * reached, or refused over HTTP (a malformed handshake, a wrong path, or a server that does not
 * tell refusals as a close), whose status a browser cannot read. Override per client with the
 * `explainRefusal` option.
 */
export async function explainRefusal(_url) {
  return { status: 0, reason: 'the server refused or could not be reached' };
}

// ---------------------------------------------------------------------------------------------
// 5. Client
// ---------------------------------------------------------------------------------------------

/** Methods whose requests may be sent again when their answer was lost. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const RETRY_STATUSES = new Set([429, 503]);
const AUTH_PATH = '/_switchboard/auth';
const HEARTBEAT_PATH = '/_switchboard/client';

const DEFAULTS = {
  requestTimeout: 10000,
  queueTimeout: 5000,
  maxQueue: 100,
  reconnect: { minDelay: 250, maxDelay: 30000, maxAttempts: Infinity },
  retry: { maxAttempts: 3, minDelay: 200, maxDelay: 2000 },
  heartbeat: { interval: 30000, timeout: 10000 },
  ack: { every: 50, delay: 1000 },
};

/** A Switchboard connection: requests, one-way messages, push listeners and rooms. */
export class SwitchboardClient {
  #url;
  #options;
  #socket = null;
  #link = null;             // the current socket's state: upgraded, opened, the RESUME awaited, held frames
  #session = null;          // from HELLO and RESUME answers: sessionId, resumeToken, clientId, …
  #positions = new Map();   // room → { epoch, offset (BigInt) } of the last reliable push processed
  #unrecovered = new Set(); // rooms reported not recovered: their next push says recovered: false
  #subscriptions = new Map(); // request id → the position of its SUBSCRIBE, until its response
  #acks = new Map();        // room → { epoch, offset } processed, not yet acknowledged
  #ackCount = 0;
  #ackTimer;
  #recoveryListeners = new Set();
  #recovery = writable(undefined);
  #stateStore = writable('idle');
  #nextId = 1;
  #inFlight = new Map();   // id → request entry, sent on the current socket
  #queue = [];             // requests and messages waiting for an open socket, in order
  #listeners = new Set();
  #rooms = new Set();
  #attempt = 0;
  #reconnectTimer;
  #heartbeatTimer;
  #lastFrameAt = 0;
  #connectWaiters = [];
  #refreshing = null;

  /**
   * @param url the server's WebSocket url, e.g. `ws://127.0.0.1:8080/ws` (may carry a query).
   * @param options see switchboard.d.ts `ClientOptions`.
   */
  constructor(url, options = {}) {
    this.#url = url;
    this.#options = {
      ...DEFAULTS,
      explainRefusal,
      random: Math.random,
      onError: () => {},
      WebSocket: globalThis.WebSocket,
      ...options,
      reconnect: options.reconnect === false ? false : { ...DEFAULTS.reconnect, ...options.reconnect },
      retry: { ...DEFAULTS.retry, ...options.retry },
      heartbeat: options.heartbeat === false ? false : { ...DEFAULTS.heartbeat, ...options.heartbeat },
      ack: options.ack === false ? false : { ...DEFAULTS.ack, ...options.ack },
    };
    /** The connection state as a store (Svelte contract). */
    this.stateStore = { subscribe: this.#stateStore.subscribe };
  }

  /** `idle`, `connecting`, `open`, `reconnecting` or `closed`. */
  get state() { return this.#stateStore.get(); }

  /** The rooms joined with join() or subscribed by a request, restored after each reconnect. */
  get rooms() { return [...this.#rooms]; }

  // Connecting -------------------------------------------------------------------------------

  /** Opens the connection; resolves when it is open, rejects with HandshakeRefusedError. */
  connect() {
    const state = this.state;
    if (state === 'open') return Promise.resolve();
    if (state === 'closed') return Promise.reject(new ClosedError('the client is closed'));
    const opened = new Promise((resolve, reject) => this.#connectWaiters.push({ resolve, reject }));
    if (state === 'idle') {
      this.#stateStore.set('connecting');
      this.#open();
    }
    return opened;
  }

  /**
   * Closes the connection for good with code 1000, which ends the session on the server (the
   * pending ACKs are sent first): everything pending or queued rejects with ClosedError.
   */
  close() {
    if (this.state === 'closed') return;
    if (this.state === 'open') this.#flushAcks();
    this.#shutDown(new ClosedError('the client was closed'));
  }

  async #open() {
    let url;
    try {
      url = await this.#connectUrl();
    } catch (error) {
      this.#openFailed(new HandshakeRefusedError(0, `the token provider failed: ${error?.message ?? error}`));
      return;
    }
    if (this.state === 'closed') return;
    let socket;
    try {
      socket = new this.#options.WebSocket(url, SUBPROTOCOL);
    } catch (error) {
      this.#openFailed(new HandshakeRefusedError(0, error?.message ?? String(error)));
      return;
    }
    socket.binaryType = 'arraybuffer';
    // A server refuses with a close after upgrading (refusal=close), so 'open' is not yet an
    // open connection: HELLO, the server's first frame on every accepted connection, is. A
    // reconnect sends RESUME at once and is open when its RESPONSE arrives (rooms restored).
    const link = { socket, upgraded: false, opened: false, resume: null, timer: undefined, held: null };
    this.#socket = socket;
    this.#link = link;
    socket.addEventListener('open', () => {
      if (this.#link !== link) return;
      link.upgraded = true;
      const timeout = this.#options.requestTimeout;
      link.timer = setTimeout(() => {
        if (this.#link !== link || link.opened) return;
        socket.close(4000, 'no answer after the upgrade');
        const reason = link.resume ? `no answer to RESUME within ${timeout} ms` : `the server sent nothing within ${timeout} ms of the upgrade`;
        ended({ refusal: { status: 0, reason } });
      }, timeout);
      if (this.state === 'reconnecting' && this.#session) this.#sendResume(link);
    });
    socket.addEventListener('message', (event) => {
      if (this.#link === link) this.#receive(event.data);
    });
    // Browsers report a failed handshake with 'error' then 'close'; some runtimes only with
    // 'error'. Whichever comes first ends this socket; once upgraded, only 'close' does, as it
    // carries the refusal.
    const ended = async (event) => {
      if (this.#link !== link) return;
      this.#link = null;
      this.#socket = null;
      clearTimeout(link.timer);
      if (link.opened) {
        this.#connectionLost();
        return;
      }
      if (socket.readyState === CONNECTING) socket.close();
      const { status, reason } = refusalFromClose(event) ?? event?.refusal
        ?? (link.upgraded ? { status: 0, reason: `the server closed the connection at once (${event?.code}${event?.reason ? `: ${event.reason}` : ''})` } : undefined)
        ?? await this.#options.explainRefusal(this.#url);
      this.#openFailed(new HandshakeRefusedError(status, reason));
    };
    socket.addEventListener('close', ended);
    socket.addEventListener('error', () => { if (!link.upgraded) ended(); });
  }

  async #connectUrl() {
    const token = this.#options.tokenProvider ? await this.#options.tokenProvider() : this.#options.token;
    // Appended, not re-serialised, so the rest of the query reaches the server as written.
    const url = `${this.#url}${this.#url.includes('?') ? '&' : '?'}${REFUSAL_BY_CLOSE}`;
    return token ? `${url}&token=${encodeURIComponent(token)}` : url;
  }

  /**
   * The connection is open: HELLO arrived (first connect) or the RESUME was answered
   * (reconnect; `restored` are the rooms the server restored, not joined again). Frames are
   * held from here until the next task, so that code awaiting connect() has added its
   * listeners before the first push (e.g. a presence list) is dispatched.
   */
  #opened(link, restored = new Set()) {
    link.opened = true;
    clearTimeout(link.timer);
    link.held = [];
    setTimeout(() => {
      const held = link.held;
      link.held = null;
      if (this.#link === link) this.#process(held);
    }, 0);
    this.#attempt = 0;
    this.#lastFrameAt = Date.now();
    this.#stateStore.set('open');
    for (const waiter of this.#connectWaiters.splice(0)) waiter.resolve();
    // Rooms are rejoined before anything queued is sent, so queued requests find them joined.
    const waiting = this.#queue.splice(0);
    for (const room of this.#rooms) {
      if (restored.has(room)) continue;
      this.#roomRequest('join', room).catch((error) => {
        this.#rooms.delete(room);
        this.#options.onError(error, { rejoin: room });
      });
    }
    this.#queue.push(...waiting);
    this.#flushQueue();
    this.#startHeartbeat();
  }

  // Sessions and recovery (PROTOCOL.md §4, §7) -------------------------------------------------

  /** The session of the current (or last) connection, from HELLO and RESUME answers; null before the first HELLO. */
  get session() { return this.#session ? { ...this.#session } : null; }

  /** HELLO: the session; on a first connect, the connection is now open. */
  #hello(frame) {
    const link = this.#link;
    let hello;
    try {
      hello = parseWithOffsets(utf8Decoder.decode(frame.data));
    } catch (error) {
      this.#options.onError(new FrameError(`HELLO data is not JSON: ${error.message}`), { frame });
      return;
    }
    const { sessionId, resumeToken, clientId, connectionId, sessionGraceMs } = hello ?? {};
    // The rooms the connection was put in at connect: kept where the client has no position
    // yet (one it already has may still be resumed from).
    for (const [room, position] of Object.entries(hello?.rooms ?? {})) {
      if (this.#positions.has(room) || isRandomClientRoom(room) || !Number.isInteger(position?.epoch) || position.epoch === 0) continue;
      if (typeof position.offset !== 'number' && typeof position.offset !== 'bigint') continue;
      this.#positions.set(room, { epoch: position.epoch, offset: BigInt(position.offset) });
    }
    if (link?.resume) {
      // The session and its token stay those being resumed until the RESUME is answered: were
      // this socket to drop first, the next RESUME presents them again.
      link.resume.hello = { sessionId, resumeToken };
      this.#session = { ...this.#session, clientId, connectionId, sessionGraceMs };
      return;
    }
    this.#session = { sessionId, resumeToken, clientId, connectionId, sessionGraceMs };
    if (link && !link.opened) this.#opened(link);
  }

  /** RESUME, the first frame of a reconnect: the session's token and the last position per room. */
  #sendResume(link) {
    // A random client id (`~…`) is new on every connection: the old client room is gone.
    for (const room of [...this.#positions.keys()]) {
      if (isRandomClientRoom(room)) this.#positions.delete(room);
    }
    const rooms = [...this.#positions].map(([room, { epoch, offset }]) => `${JSON.stringify(room)}:{"epoch":${epoch},"offset":${offset}}`);
    const data = `{"resumeToken":${JSON.stringify(this.#session.resumeToken)},"rooms":{${rooms.join(',')}}}`;
    const id = this.#takeId();
    link.resume = { id, named: new Set(this.#positions.keys()), gaps: new Map() };
    link.socket.send(encodeFrame({ kind: 'control', control: 'RESUME', id, url: '', data }));
  }

  /** The RESUME's answer (`status`, `body`): positions, the new token, the recovery report; then open. */
  #resumed(link, status, body) {
    const { named, gaps, hello } = link.resume;
    // What the app may show something from: rooms it joined or subscribed to, or had pushes from.
    const known = new Set([...this.#rooms, ...named]);
    let answer = null;
    let reason;
    if (status === 200) {
      try {
        answer = parseWithOffsets(utf8Decoder.decode(body));
      } catch (error) {
        reason = `the RESUME answer is not JSON: ${error.message}`;
      }
    } else {
      reason = `RESUME refused (${status}): ${errorReason(withBodyReaders({ status, body }))}`;
    }
    const rooms = {};
    const restored = new Set();
    // The connection's session now: the answer's, or (RESUME refused) the one of its HELLO.
    const now = answer ?? hello ?? {};
    if (typeof now.sessionId === 'string') this.#session.sessionId = now.sessionId;
    if (typeof now.resumeToken === 'string') this.#session.resumeToken = now.resumeToken;
    if (answer) {
      reason = answer.reason;
      for (const [room, result] of Object.entries(answer.rooms ?? {})) {
        const entry = { recovered: result.recovered === true };
        if (typeof result.reason === 'string') entry.reason = result.reason;
        if (entry.recovered && gaps.has(room)) { entry.recovered = false; entry.reason = gaps.get(room); }
        if (!result.recovered && entry.reason?.startsWith('refused: ')) {
          // Not joined: nothing more comes from it.
          this.#rooms.delete(room);
          this.#positions.delete(room);
        } else {
          restored.add(room);
          if (Number.isInteger(result.epoch) && result.epoch !== 0 && result.offset !== undefined) this.#advance(room, result.epoch, BigInt(result.offset));
        }
        const position = this.#positions.get(room);
        if (position) { entry.epoch = position.epoch; entry.offset = safeNumber(position.offset); }
        rooms[room] = entry;
      }
    }
    // Rooms the answer does not restore are joined again (below); pushes meanwhile are lost.
    for (const room of this.#rooms) {
      if (!rooms[room]) rooms[room] = { recovered: false, reason: reason ?? 'not restored by the server; joined again' };
    }
    for (const room of named) {
      if (rooms[room]) continue;
      this.#positions.delete(room);
      rooms[room] = { recovered: false, reason: reason ?? 'not restored by the server' };
    }
    // A room the client never heard from (e.g. its user room, joined at connect, without a push
    // so far) has no position: reported in `rooms`, but nothing shown came from it to refetch.
    const lost = Object.keys(rooms).filter((room) => !rooms[room].recovered && known.has(room)).sort();
    // Their next push says recovered: false (a room whose gap showed during the resume already said it).
    for (const room of lost) if (!gaps.has(room)) this.#unrecovered.add(room);
    const report = { cause: 'resume', resumed: answer?.resumed === true, sessionId: this.#session.sessionId, rooms, lost };
    if (reason !== undefined) report.reason = reason;
    link.resume = null;
    this.#opened(link, restored);
    this.#report(report);
  }

  /** Takes `(epoch, offset)` as the room's position unless it already is at or past it in that epoch. */
  #advance(room, epoch, offset) {
    const current = this.#positions.get(room);
    if (!current || current.epoch !== epoch || current.offset < offset) this.#positions.set(room, { epoch, offset });
  }

  /** A live push showed a gap in `room`: reported at once, or with the RESUME's answer when one is awaited. */
  #gap(room, reason, epoch, offset) {
    const resume = this.#link?.resume;
    if (resume) {
      resume.gaps.set(room, reason);
      return;
    }
    const rooms = { [room]: { recovered: false, reason, epoch, offset: safeNumber(offset) } };
    this.#report({ cause: 'gap', sessionId: this.#session?.sessionId, rooms, lost: [room] });
  }

  #report(report) {
    for (const listener of [...this.#recoveryListeners]) {
      try {
        listener(report);
      } catch (error) {
        this.#options.onError(error, { recovery: report });
      }
    }
    this.#recovery.set(report);
  }

  /**
   * Calls `fn` with a recovery report after every reconnect (cause `resume`) and when a live
   * push shows a gap (cause `gap`): per room `recovered` (and a `reason` when false), and
   * `lost`, the rooms to refetch. The result stops it (stopListening()) and is a store of the
   * latest report (undefined until one).
   */
  onRecovery(fn = () => {}) {
    this.#recoveryListeners.add(fn);
    return {
      stopListening: () => { this.#recoveryListeners.delete(fn); },
      subscribe: this.#recovery.subscribe,
    };
  }

  // ACKs: the highest processed offset per room, batched.

  #queueAck(room, epoch, offset) {
    const ack = this.#options.ack;
    if (!ack) return;
    this.#acks.set(room, { epoch, offset });
    this.#ackCount += 1;
    if (this.#ackCount >= ack.every) this.#flushAcks();
    else if (this.#ackTimer === undefined) this.#ackTimer = setTimeout(() => this.#flushAcks(), ack.delay);
  }

  #flushAcks() {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#ackCount = 0;
    const acks = [...this.#acks];
    this.#acks.clear();
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return;
    for (const [room, { epoch, offset }] of acks) socket.send(encodeFrame({ kind: 'ack', room, epoch, offset }));
  }

  #dropAcks() {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#ackCount = 0;
    this.#acks.clear();
  }

  #openFailed(error) {
    if (this.state === 'closed') return;
    const reconnect = this.#options.reconnect;
    if (this.state === 'reconnecting' && reconnect && this.#attempt < reconnect.maxAttempts) {
      this.#scheduleReconnect();
      return;
    }
    if (this.state === 'connecting') {
      // The first connect is one attempt; connect() may be called again.
      this.#stateStore.set('idle');
      this.#rejectAll(error);
      return;
    }
    this.#shutDown(error);
  }

  #connectionLost() {
    this.#stopHeartbeat();
    this.#dropAcks();
    this.#subscriptions.clear();
    const lost = [...this.#inFlight.values()];
    this.#inFlight.clear();
    const reconnect = this.#options.reconnect;
    const willReconnect = reconnect && reconnect.maxAttempts > 0;
    const requeued = [];
    for (const entry of lost) {
      clearTimeout(entry.timer);
      if (willReconnect && IDEMPOTENT.has(entry.method)) {
        requeued.push(entry);
      } else {
        entry.reject(new ConnectionLostError(`the connection was lost before ${entry.method} ${entry.url} was answered; it may or may not have been applied`));
      }
    }
    if (!willReconnect) {
      this.#shutDown(new ConnectionLostError('the connection was lost'));
      return;
    }
    for (const entry of requeued) this.#startQueueTimer(entry);
    this.#queue.unshift(...requeued);
    this.#stateStore.set('reconnecting');
    this.#scheduleReconnect();
  }

  #scheduleReconnect() {
    const delay = backoffDelay(this.#attempt, this.#options.reconnect, this.#options.random);
    this.#attempt += 1;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.state === 'reconnecting') this.#open();
    }, delay);
  }

  #shutDown(error) {
    this.#stateStore.set('closed');
    clearTimeout(this.#reconnectTimer);
    this.#stopHeartbeat();
    this.#dropAcks();
    const socket = this.#socket;
    this.#socket = null;
    this.#link = null;
    if (socket && socket.readyState <= OPEN) socket.close(1000, 'client closed');
    this.#rejectAll(error);
  }

  #rejectAll(error) {
    for (const waiter of this.#connectWaiters.splice(0)) waiter.reject(error);
    for (const entry of this.#inFlight.values()) { clearTimeout(entry.timer); entry.reject(error); }
    this.#inFlight.clear();
    for (const entry of this.#queue.splice(0)) { clearTimeout(entry.timer); entry.reject(error); }
  }

  // Heartbeat: a cheap request when nothing arrived for a while; no answer closes the socket.

  #startHeartbeat() {
    const heartbeat = this.#options.heartbeat;
    if (!heartbeat) return;
    this.#heartbeatTimer = setInterval(() => {
      if (this.state !== 'open' || Date.now() - this.#lastFrameAt < heartbeat.interval) return;
      const socket = this.#socket;
      this.request('OPTIONS', HEARTBEAT_PATH, undefined, { timeout: heartbeat.timeout, retry: false }).catch((error) => {
        // Only a silent socket that is still the current one is given up on.
        if (error instanceof TimeoutError && this.#socket === socket && this.state === 'open') {
          this.#socket = null;
          this.#link = null;
          socket.close(4000, 'heartbeat timeout');
          this.#connectionLost();
        }
      });
    }, heartbeat.interval);
  }

  #stopHeartbeat() {
    clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
  }

  // Requests -------------------------------------------------------------------------------

  /** GET `path`. */
  get(path, options) { return this.request('GET', path, undefined, options); }
  /** HEAD `path`. */
  head(path, options) { return this.request('HEAD', path, undefined, options); }
  /** OPTIONS `path`. */
  options(path, options) { return this.request('OPTIONS', path, undefined, options); }
  /** POST `body` to `path`. */
  post(path, body, options) { return this.request('POST', path, body, options); }
  /** PUT `body` to `path`. */
  put(path, body, options) { return this.request('PUT', path, body, options); }
  /** PATCH `path` with `body`. */
  patch(path, body, options) { return this.request('PATCH', path, body, options); }
  /** DELETE `path`. */
  delete(path, body, options) { return this.request('DELETE', path, body, options); }

  /**
   * Sends a request and resolves with its response (status below 400); rejects with
   * StatusError, TimeoutError, ConnectionLostError, QueueFullError or ClosedError.
   */
  async request(method, path, body, { timeout, retry = true } = {}) {
    if (METHODS[method] === undefined) throw new TypeError(`unknown method ${method}`);
    const url = encodeWireText(path);
    validateText('url', url, MAX_URL_LENGTH);
    const data = bodyBytes(body);
    const timeoutMs = timeout ?? this.#options.requestTimeout;
    const maxAttempts = retry && IDEMPOTENT.has(method) ? this.#options.retry.maxAttempts : 0;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const response = await this.#exchange(method, url, data, timeoutMs);
      if (response.status < 400) return response;
      if (response.status === 401 && !refreshed && url !== AUTH_PATH && this.#options.tokenProvider) {
        refreshed = true;
        if (await this.#refreshQuietly()) { attempt -= 1; continue; }
      } else if (RETRY_STATUSES.has(response.status) && attempt < maxAttempts) {
        await sleep(backoffDelay(attempt, this.#options.retry, this.#options.random));
        continue;
      }
      throw new StatusError(response.status, errorReason(response), response);
    }
  }

  /** One request → one response (any status), through the queue when not open. */
  #exchange(method, url, data, timeout) {
    return new Promise((resolve, reject) => {
      const entry = { type: 'request', method, url, data, timeout, resolve, reject, timer: undefined };
      this.#submit(entry);
    });
  }

  /** Sends one MESSAGE frame (never answered); resolves once it is written to the socket. */
  send(path, body) {
    return new Promise((resolve, reject) => {
      const url = encodeWireText(path);
      validateText('url', url, MAX_URL_LENGTH);
      this.#submit({ type: 'message', url, data: bodyBytes(body), resolve, reject, timer: undefined });
    });
  }

  #submit(entry) {
    if (this.state === 'closed') {
      entry.reject(new ClosedError('the client is closed'));
    } else if (this.state === 'open' && this.#queue.length === 0) {
      this.#write(entry);
    } else if (this.#queue.length >= this.#options.maxQueue) {
      entry.reject(new QueueFullError(`the queue is full (${this.#options.maxQueue} items waiting for the connection)`));
    } else {
      this.#startQueueTimer(entry);
      this.#queue.push(entry);
    }
  }

  #startQueueTimer(entry) {
    const ms = this.#options.queueTimeout;
    entry.timer = setTimeout(() => {
      const index = this.#queue.indexOf(entry);
      if (index >= 0) this.#queue.splice(index, 1);
      entry.reject(new TimeoutError(`${describeEntry(entry)} was not sent: the connection did not open within ${ms} ms`, ms));
    }, ms);
  }

  #flushQueue() {
    while (this.#queue.length > 0 && this.state === 'open') {
      const entry = this.#queue.shift();
      clearTimeout(entry.timer);
      this.#write(entry);
    }
  }

  #write(entry) {
    if (entry.type === 'message') {
      this.#socket.send(encodeFrame({ kind: 'message', id: 0, url: entry.url, data: entry.data }));
      entry.resolve();
      return;
    }
    const id = this.#takeId();
    this.#inFlight.set(id, entry);
    entry.timer = setTimeout(() => {
      this.#inFlight.delete(id);
      entry.reject(new TimeoutError(`${describeEntry(entry)}: no response within ${entry.timeout} ms`, entry.timeout));
    }, entry.timeout);
    this.#socket.send(encodeFrame({ kind: 'request', method: entry.method, id, url: entry.url, data: entry.data }));
  }

  #takeId() {
    do {
      this.#nextId = this.#nextId >= 0xffffffff ? 1 : this.#nextId + 1;
    } while (this.#inFlight.has(this.#nextId));
    return this.#nextId;
  }

  // Credentials ----------------------------------------------------------------------------

  /**
   * Asks the tokenProvider for a token and hands it to the server (POST /_switchboard/auth).
   * Concurrent calls share one refresh. Resolves with the server's `{userId, expiresAt}`.
   */
  refreshCredentials() {
    if (!this.#refreshing) {
      this.#refreshing = (async () => {
        const provider = this.#options.tokenProvider;
        const token = provider ? await provider() : this.#options.token;
        if (!token) throw new SwitchboardError('no token to refresh the credentials with');
        const response = await this.request('POST', AUTH_PATH, token, { retry: false });
        return response.json();
      })().finally(() => { this.#refreshing = null; });
    }
    return this.#refreshing;
  }

  async #refreshQuietly() {
    try {
      await this.refreshCredentials();
      return true;
    } catch (error) {
      this.#options.onError(error, { refresh: true });
      return false;
    }
  }

  // Rooms ----------------------------------------------------------------------------------

  /**
   * Joins `room` (rejoined after every reconnect); resolves with the room's state. The name is
   * made valid wire text first (encodeWireText), as pushes will carry it.
   */
  async join(room) {
    room = encodeWireText(room);
    const response = await this.#roomRequest('join', room);
    this.#rooms.add(room);
    return response.json();
  }

  /** Leaves `room` (encoded like join); resolves with whether the connection was a member. */
  async leave(room) {
    room = encodeWireText(room);
    this.#rooms.delete(room);
    this.#positions.delete(room);
    this.#unrecovered.delete(room);
    const response = await this.#roomRequest('leave', room);
    return response.json().left;
  }

  #roomRequest(action, room) {
    return this.request('POST', `/_switchboard/rooms/${action}`, { room });
  }

  // Pushes ---------------------------------------------------------------------------------

  /**
   * Calls `fn` with each push whose url matches `pattern`. The result stops it
   * (stopListening()) and is a store of the latest push (undefined until one arrives).
   */
  on(pattern, fn = () => {}) {
    const listener = { match: compilePattern(pattern), fn, latest: writable(undefined) };
    this.#listeners.add(listener);
    return {
      stopListening: () => { this.#listeners.delete(listener); },
      subscribe: listener.latest.subscribe,
    };
  }

  /**
   * A store whose value starts as `initial` and becomes `reducer(value, push)` on each push
   * matching `pattern`; stopListening() ends it.
   */
  store(pattern, initial, reducer = (_, push) => push.json()) {
    const value = writable(initial);
    const subscription = this.on(pattern, (push) => value.set(reducer(value.get(), push)));
    return { subscribe: value.subscribe, stopListening: subscription.stopListening, get: value.get };
  }

  #receive(data) {
    this.#lastFrameAt = Date.now();
    if (typeof data === 'string') {
      this.#options.onError(new FrameError('text messages are not part of the protocol'), { data });
      return;
    }
    let frame;
    try {
      frame = decodeFrame(data);
    } catch (error) {
      this.#options.onError(error, { data });
      return;
    }
    this.#process(frame.kind === 'batch' ? frame.frames : [frame]);
  }

  /** Handles frames in order; while the connection holds frames (see #opened), keeps the rest. */
  #process(frames) {
    const link = this.#link;
    for (let index = 0; index < frames.length; index++) {
      if (link?.held) {
        link.held.push(...frames.slice(index));
        return;
      }
      this.#handle(frames[index]);
    }
  }

  #handle(frame) {
    switch (frame.kind) {
      case 'response':
      case 'error': {
        const resume = this.#link?.resume;
        if (resume && frame.id === resume.id) {
          this.#resumed(this.#link, frame.status, frame.data.slice());
          return;
        }
        const response = withBodyReaders({ status: frame.status, url: frame.url, body: frame.data.slice() });
        const subscription = this.#subscriptions.get(frame.id);
        this.#subscriptions.delete(frame.id);
        if (subscription && frame.kind === 'response') response.subscription = subscription;
        const entry = this.#inFlight.get(frame.id);
        if (frame.kind === 'response') {
          if (!entry) return;
          this.#inFlight.delete(frame.id);
          clearTimeout(entry.timer);
          entry.resolve(response);
          return;
        }
        const error = new StatusError(frame.status, errorReason(response), response);
        if (!entry) { this.#options.onError(error, { frame }); return; }
        this.#inFlight.delete(frame.id);
        clearTimeout(entry.timer);
        entry.reject(error);
        return;
      }
      case 'push':
        this.#push(frame);
        return;
      case 'control':
        if (frame.control === 'HELLO') this.#hello(frame);
        else if (frame.control === 'SUBSCRIBE') this.#subscribed(frame);
        // RESUME and UNSUBSCRIBE are not sent to clients: ignored.
        return;
      default:
        // ACKs are not sent to clients.
        return;
    }
  }

  /**
   * SUBSCRIBE: the position of the room a request subscribed to (or joined), for that request's
   * response; with id 0, in the place of a reliable push the server left this connection out of
   * (its own message, sent to the others): sequenced like that push, so no gap.
   */
  #subscribed(frame) {
    let notice;
    try {
      notice = parseWithOffsets(utf8Decoder.decode(frame.data));
    } catch (error) {
      this.#options.onError(new FrameError(`SUBSCRIBE data is not JSON: ${error.message}`), { frame });
      return;
    }
    const { room, epoch } = notice ?? {};
    if (typeof room !== 'string' || !Number.isInteger(epoch) || notice.offset === undefined) {
      this.#options.onError(new FrameError('SUBSCRIBE data must be {"epoch":…,"offset":…,"room":"…"}'), { frame });
      return;
    }
    const offset = BigInt(notice.offset);
    if (frame.id === 0) {
      // In the place of a push: checked and acknowledged like one, listeners get nothing.
      if (epoch !== 0 && offset > 0n && this.#sequence(room, epoch, offset) !== undefined) this.#queueAck(room, epoch, safeNumber(offset));
      return;
    }
    // The response describes the room up to this offset: a fresh start for the room.
    if (epoch !== 0) this.#advance(room, epoch, offset);
    this.#unrecovered.delete(room);
    this.#rooms.add(room);
    this.#subscriptions.set(frame.id, { room, epoch, offset: safeNumber(offset) });
  }

  /**
   * A push: reliable ones (offset > 0) are checked against the room's position: an offset at
   * or below it in the same epoch is a duplicate and dropped; anything but the next offset is
   * a gap, reported as not recovered. Then listeners get it and it is acknowledged.
   */
  #push(frame) {
    if (frame.offset === 0 || frame.room === '') {
      this.#dispatch(frame, true);
      return;
    }
    const { room, epoch } = frame;
    let recovered = this.#sequence(room, epoch, BigInt(frame.offset));
    if (recovered === undefined) return;
    if (this.#unrecovered.delete(room)) recovered = false;
    this.#dispatch(frame, recovered);
    this.#queueAck(room, epoch, frame.offset);
  }

  /**
   * Takes reliable offset `epoch:offset` of `room` (a push, or a SUBSCRIBE #0 in a push's place)
   * as the room's position: undefined for a duplicate (position unchanged), false after a gap
   * (reported), true for the next offset or a room without a position.
   */
  #sequence(room, epoch, offset) {
    const position = this.#positions.get(room);
    let followed = true;
    if (position) {
      if (position.epoch === epoch && offset <= position.offset) return undefined;
      if (position.epoch !== epoch || offset !== position.offset + 1n) {
        const reason = position.epoch === epoch ? `gap: expected offset ${position.offset + 1n}, got ${offset}` : 'epoch changed';
        this.#gap(room, reason, epoch, offset);
        followed = false;
      }
    }
    this.#positions.set(room, { epoch, offset });
    return followed;
  }

  #dispatch(frame, recovered) {
    const body = frame.data.slice();
    for (const listener of [...this.#listeners]) {
      const params = listener.match(frame.url);
      if (!params) continue;
      const push = withBodyReaders({ url: frame.url, room: frame.room, params, epoch: frame.epoch, offset: frame.offset, recovered, body });
      try {
        listener.latest.set(push);
        listener.fn(push);
      } catch (error) {
        this.#options.onError(error, { push });
      }
    }
  }
}

function describeEntry(entry) {
  return entry.type === 'message' ? `MESSAGE ${entry.url}` : `${entry.method} ${entry.url}`;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
