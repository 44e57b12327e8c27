// Types of switchboard.js, the Switchboard browser client (protocol switchboard.v1, PROTOCOL.md).

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** Base class of every error the client rejects with. */
export class SwitchboardError extends Error {}

/**
 * A request got no response within its timeout (`"GET /slow: no response within 50 ms"`), or a
 * queued request or message was not sent before the queue timeout
 * (`"MESSAGE /typing was not sent: the connection did not open within 5000 ms"`).
 */
export class TimeoutError extends SwitchboardError {
  /** The timeout that expired, in milliseconds. */
  readonly ms: number;
}

/**
 * The server answered with status 400 or more, or sent an ERROR frame for the request.
 * `message` is the `error` field of the JSON body, or `HTTP <status>`.
 */
export class StatusError extends SwitchboardError {
  readonly status: number;
  /** The whole response (body included). */
  readonly response: SwitchboardResponse;
}

/**
 * The connection dropped while a request that is not idempotent (POST, PATCH) was in flight, so
 * it may or may not have been applied; or it dropped and reconnecting is disabled.
 */
export class ConnectionLostError extends SwitchboardError {}

/**
 * The WebSocket did not open. A refusal the server tells as a close (every handshake asks for
 * `refusal=close`) carries its HTTP status and reason: 401 `invalid token`, 403, 503. A server
 * that cannot be reached, or refuses over HTTP, gives status 0 and the `explainRefusal` reason;
 * an upgraded socket the server closes before any frame gives status 0 and its close code.
 */
export class HandshakeRefusedError extends SwitchboardError {
  readonly status: number;
  readonly reason: string;
}

/** The client was closed with close(), or gave up reconnecting after `reconnect.maxAttempts`. */
export class ClosedError extends SwitchboardError {}

/** More than `maxQueue` items would wait for the connection. */
export class QueueFullError extends SwitchboardError {}

/** Bytes that are not a valid frame, or a frame that cannot be encoded (PROTOCOL.md §5 texts). */
export class FrameError extends SwitchboardError {}

// ---------------------------------------------------------------------------------------------
// Wire codec
// ---------------------------------------------------------------------------------------------

/** `"switchboard.v1"`. */
export const SUBPROTOCOL: string;
/** 2048: the longest url a frame may carry, in bytes. */
export const MAX_URL_LENGTH: number;
/** 255: the longest room name a frame may carry, in bytes. */
export const MAX_ROOM_LENGTH: number;

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export type ControlKind = 'HELLO' | 'RESUME' | 'SUBSCRIBE' | 'UNSUBSCRIBE';
/** Method → kind byte (GET 0x01 … OPTIONS 0x07). */
export const METHODS: Readonly<Record<Method, number>>;
/** Reserved control frame → kind byte (HELLO 0x40 … UNSUBSCRIBE 0x43). */
export const CONTROLS: Readonly<Record<ControlKind, number>>;

/** Frame data: bytes, or a string sent as UTF-8. Decoded frames always carry a Uint8Array. */
export type FrameData = Uint8Array | ArrayBuffer | string;
/** A history position; a bigint only past 2^53. */
export type Offset = number | bigint;

export interface RequestFrame { kind: 'request'; method: Method; id: number; url: string; data?: FrameData }
export interface ResponseFrame { kind: 'response'; id: number; status: number; url: string; data?: FrameData }
export interface ErrorFrame { kind: 'error'; id: number; status: number; url: string; data?: FrameData }
export interface MessageFrame { kind: 'message'; id: number; url: string; data?: FrameData }
export interface ControlFrame { kind: 'control'; control: ControlKind; id: number; url: string; data?: FrameData }
export interface PushFrame { kind: 'push'; url: string; room: string; epoch: number; offset: Offset; data?: FrameData }
export interface AckFrame { kind: 'ack'; room: string; epoch: number; offset: Offset }
export interface BatchFrame { kind: 'batch'; frames: Exclude<Frame, BatchFrame>[] }
export type Frame = RequestFrame | ResponseFrame | ErrorFrame | MessageFrame | ControlFrame | PushFrame | AckFrame | BatchFrame;

/** A frame's bytes; throws FrameError for an invalid url/room (not encoded), status or nesting. */
export function encodeFrame(frame: Frame): Uint8Array;
/** One WebSocket message → one frame (a batch holds its inner frames); throws FrameError. */
export function decodeFrame(bytes: Uint8Array | ArrayBuffer): Frame;
/** The one-line log rendering, e.g. `GET #17 /boards/7 (0 bytes)`. */
export function describeFrame(frame: Frame): string;
/** `class << 5 | detail` (200 → 0x40); a detail above 31 becomes the class's x00. */
export function statusToByte(status: number): number;
/** 0x84 → 404; throws `unknown status byte 0x..` for classes 0, 6 and 7. */
export function byteToStatus(byte: number): number;
/**
 * Makes text a valid url or room field: every UTF-8 byte outside `!`…`~`, and `|`, becomes
 * `%XX`; `%` is kept, so already-encoded text is unchanged. Applied by the client to every path
 * and room it sends.
 */
export function encodeWireText(text: string): string;
/** Encodes a value for one path segment (RFC 3986 unreserved kept), e.g. a room in a url. */
export function encodeSegment(value: string | number): string;

// ---------------------------------------------------------------------------------------------
// safeSendWebSocket
// ---------------------------------------------------------------------------------------------

/** The part of a WebSocket that safeSendWebSocket uses. */
export interface SendableSocket {
  readonly readyState: number;
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void;
  addEventListener(type: 'open', listener: () => void): void;
}

/**
 * Sends `message` on a plain WebSocket, or queues it while the socket is connecting.
 *
 * Resolves with a success text, rejects with an `Error` whose `message` is the failure text:
 *
 * | situation | result |
 * |---|---|
 * | `wsClient` missing | rejects `WebSocket client not initialized` |
 * | `message` null, undefined, `''` or zero bytes | rejects `Message is empty or null` |
 * | OPEN | sends; resolves `Message sent successfully` (rejects `Failed to send message: <reason>` if send throws) |
 * | CLOSING | rejects `WebSocket is CLOSING - cannot send message` |
 * | CLOSED | rejects `WebSocket is CLOSED - cannot send message` |
 * | CONNECTING, `queue: false` | rejects `WebSocket is CONNECTING and queuing is disabled` |
 * | CONNECTING, `queue: true` (default) | queued until the socket opens (below) |
 * | any other readyState | rejects `WebSocket is in an unknown state (<readyState>) - cannot send message` |
 *
 * Queued messages are held per socket (a WeakMap keyed by the socket). The first message queued
 * adds one `open` listener to that socket (never more than one per socket) and starts one timer
 * for every message queued with it (its `timeout`; later messages share that timer and their
 * own `timeout` is not used). On `open` every queued message is sent in order and each caller's
 * promise settles with the flush result: all sent → resolves `Flushed 1 queued message(s)` for
 * one message, `Flushed N queued messages` for N ≠ 1; any send threw → every caller rejects
 * `Flushed S/N messages (F failed)`. When the timer fires first, every queued caller rejects
 * `Timeout waiting for WebSocket to open (<timeout>ms)` and those messages are dropped; a
 * socket that closes while connecting is reported by that timeout.
 */
export function safeSendWebSocket(
  wsClient: SendableSocket | null | undefined,
  message: string | ArrayBufferLike | Blob | ArrayBufferView | null | undefined,
  options?: { queue?: boolean; timeout?: number },
): Promise<string>;

// ---------------------------------------------------------------------------------------------
// Stores, patterns, backoff
// ---------------------------------------------------------------------------------------------

/** The Svelte store contract: `subscribe` calls `run` at once with the current value. */
export interface Readable<T> {
  subscribe(run: (value: T) => void): () => void;
}

/** A store with get and set, as used by the client. */
export interface Writable<T> extends Readable<T> {
  get(): T;
  set(value: T): void;
}
export function writable<T>(initial: T): Writable<T>;

/**
 * Compiles a push url pattern: static segments, `:name` (one segment, captured and
 * percent-decoded), `*` (one segment), trailing `**` (the rest, captured as `**`).
 */
export function compilePattern(pattern: string): (url: string) => Record<string, string> | null;

export interface BackoffOptions { minDelay?: number; maxDelay?: number }
/** `floor(random() × min(maxDelay, minDelay × 2^attempt))` ms; attempt 0 is the first retry. */
export function backoffDelay(attempt: number, options?: BackoffOptions, random?: () => number): number;

/**
 * The refusal a close event carries, or `null`. The client asks every handshake for
 * `refusal=close` (PROTOCOL.md §1.1): a refused handshake then upgrades and closes at once with
 * code 4000 + the HTTP status (4401, 4403, 4503) and the reason, which a browser can read.
 */
export function refusalFromClose(event: { code?: number; reason?: string } | null | undefined): { status: number; reason: string } | null;

/**
 * What to report when the WebSocket failed without upgrading (the server could not be reached,
 * or refused over HTTP, whose status a browser cannot read): `{status: 0, reason: 'the server
 * refused or could not be reached'}`. Replace per client with the `explainRefusal` option.
 */
export function explainRefusal(url: string): Promise<{ status: number; reason: string }>;

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ClientOptions {
  /** Sent as the `token` query parameter of the handshake (browsers cannot set headers). */
  token?: string;
  /** Asked on every connect and reconnect, and for the in-band refresh after a 401; wins over `token`. */
  tokenProvider?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Per request, from when it is written to the socket; default 10000 ms. */
  requestTimeout?: number;
  /** How long a request or message may wait for the connection to open; default 5000 ms. */
  queueTimeout?: number;
  /** Most items waiting for the connection; default 100 (then QueueFullError). */
  maxQueue?: number;
  /**
   * Reconnect after a drop: waits `backoffDelay(attempt)` (defaults minDelay 250, maxDelay
   * 30000 ms) and gives up after `maxAttempts` failed attempts in a row (default Infinity);
   * `false` disables it.
   */
  reconnect?: false | { minDelay?: number; maxDelay?: number; maxAttempts?: number };
  /** 429/503 on idempotent requests: retried after a backoff; defaults maxAttempts 3, 200–2000 ms. */
  retry?: { maxAttempts?: number; minDelay?: number; maxDelay?: number };
  /**
   * When nothing arrived for `interval` ms (default 30000), `OPTIONS /_switchboard/client` is
   * sent; no answer within `timeout` (default 10000) closes the socket (4000) and reconnects.
   * `false` disables it.
   */
  heartbeat?: false | { interval?: number; timeout?: number };
  /**
   * ACK frames for reliable pushes processed: the highest offset per room, sent once `every`
   * pushes (default 50) were processed or `delay` ms (default 1000) after the first one not yet
   * acknowledged, and before a deliberate close. `false` sends none.
   */
  ack?: false | { every?: number; delay?: number };
  /** The jitter source, in [0, 1); default Math.random. */
  random?: () => number;
  /** Replaces the module's explainRefusal for this client. */
  explainRefusal?: (url: string) => Promise<{ status: number; reason: string }>;
  /** Errors with nobody to reject: undecodable frames, throwing listeners, failed rejoins or refreshes. Default: ignored. */
  onError?: (error: unknown, context: Record<string, unknown>) => void;
  /** The WebSocket constructor; default globalThis.WebSocket. */
  WebSocket?: new (url: string, protocol: string) => WebSocket;
}

export interface RequestOptions {
  /** Overrides requestTimeout for this request. */
  timeout?: number;
  /** `false`: no 429/503 retries for this request. */
  retry?: boolean;
}

/** A response with status below 400. */
export interface SwitchboardResponse {
  status: number;
  /** The response's url field (usually empty). */
  url: string;
  body: Uint8Array;
  /**
   * The position of the room the request subscribed to (a SUBSCRIBE frame just before the
   * response), when it did: the body describes the room up to `offset`; the client resumes it
   * from there after a reconnect.
   */
  subscription?: RoomPosition & { room: string };
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON (throws on an empty body). */
  json<T = any>(): T;
}

/** One push, as given to listeners. */
export interface Push {
  url: string;
  /** The room it was published to (percent-encoded, as on the wire). */
  room: string;
  /** The pattern's parameters, percent-decoded. */
  params: Record<string, string>;
  epoch: number;
  offset: Offset;
  /**
   * `false` when pushes of this room before this one were missed: the first push of a room
   * after a gap, after another epoch, or after a reconnect that did not recover the room
   * (unless a subscribing request read the room afresh since). Refetch what you show from the
   * room. Always `true` for pushes outside the sequence (offset 0).
   */
  recovered: boolean;
  body: Uint8Array;
  text(): string;
  json<T = any>(): T;
}

/** A room's position: the epoch of its history and the last offset processed. */
export interface RoomPosition {
  epoch: number;
  offset: Offset;
}

/** The session of a connection: from HELLO, updated by each RESUME's answer (PROTOCOL.md §7). */
export interface Session {
  sessionId: string;
  /** The token that resumes the session from a new connection (a secret, like a credential). */
  resumeToken: string;
  /** The connection's effective client id. */
  clientId: string;
  connectionId: string;
  /** How long the server keeps the session after an unexpected drop, in milliseconds. */
  sessionGraceMs: number;
}

/** One room in a recovery report. */
export interface RoomRecovery {
  /** Whether every push the room had since the client's position reached it. */
  recovered: boolean;
  /**
   * Why not, e.g. `history no longer covers offset 12`, `epoch changed`, `no position given`,
   * `refused: <policy reason>` (the room is then left), `gap: expected offset 13, got 15`.
   */
  reason?: string;
  /** The room's position now (absent when the room was refused or not restored). */
  epoch?: number;
  offset?: Offset;
}

/**
 * What the client could not keep exact: after each reconnect (`resume`: the server's answer to
 * RESUME, plus the rooms it did not restore, which the client joins again) or when a live push
 * shows a gap (`gap`). Refetch what you show from the rooms in `lost`.
 */
export interface RecoveryReport {
  cause: 'resume' | 'gap';
  /** `resume`: whether the server took the session over (false after a restart, or a spent token). */
  resumed?: boolean;
  /** `resume`: why the session was not resumed, or why the RESUME was refused. */
  reason?: string;
  sessionId: string | undefined;
  rooms: Record<string, RoomRecovery>;
  /**
   * The rooms to refetch, sorted: those not recovered that the client joined, subscribed to or
   * had pushes from. A room it never heard from (its user room without a push so far, answered
   * `no position given`) is only in `rooms`: nothing shown came from it.
   */
  lost: string[];
}

/** A recovery listener; also a store of the latest report (undefined before the first). */
export interface RecoverySubscription extends Readable<RecoveryReport | undefined> {
  stopListening(): void;
}

/** A push listener; also a store of the latest matching push (undefined before the first). */
export interface Subscription extends Readable<Push | undefined> {
  stopListening(): void;
}

/** A store folded from pushes. */
export interface PushStore<T> extends Readable<T> {
  get(): T;
  stopListening(): void;
}

/** The room state answered by join: `{room, lastBroadcastTimestamp, memberCount, epoch, offset}`. */
export interface RoomState {
  room: string;
  /** Milliseconds since 1970, or null. */
  lastBroadcastTimestamp: number | null;
  memberCount: number;
  /** The room's position when the connection joined: the client keeps it, so a RESUME after a reconnect replays exactly what the room got since. */
  epoch: number;
  offset: number;
}

/**
 * A Switchboard connection over one WebSocket (subprotocol `switchboard.v1`).
 *
 * Requests made while the connection is not open are queued in order with messages and sent
 * when it opens. After a drop, the client reconnects and resumes its session (RESUME with the
 * resume token and each room's position): the server replays what each room missed and the
 * client reports the rooms it could not recover (onRecovery); rooms the server did not restore
 * are joined again. Then requests lost in flight are re-sent when idempotent (GET, HEAD, PUT,
 * DELETE, OPTIONS) and fail with ConnectionLostError otherwise.
 * A 401 answer makes the client refresh its credentials once (tokenProvider, then
 * `POST /_switchboard/auth`) and retry the request.
 */
export class SwitchboardClient {
  constructor(url: string, options?: ClientOptions);
  /** The current connection state. */
  readonly state: ConnectionState;
  /** The connection state as a store. */
  readonly stateStore: Readable<ConnectionState>;
  /** The rooms joined or subscribed by a request (wire names), restored after each reconnect. */
  readonly rooms: string[];
  /** The session (from HELLO, then each RESUME's answer); null before the first HELLO. */
  readonly session: Session | null;

  /**
   * Opens the connection: resolves when open, that is when the server's HELLO arrives after
   * the upgrade (a refusal told as a close sends none). The first connect is one attempt: a
   * failure rejects with HandshakeRefusedError, rejects what was queued, and returns to `idle`.
   * A reconnect is open when the server answers its RESUME.
   */
  connect(): Promise<void>;
  /**
   * Closes for good with code 1000 (the server ends the session; pending ACKs are sent first);
   * everything pending or queued rejects with ClosedError.
   */
  close(): void;

  get(path: string, options?: RequestOptions): Promise<SwitchboardResponse>;
  head(path: string, options?: RequestOptions): Promise<SwitchboardResponse>;
  options(path: string, options?: RequestOptions): Promise<SwitchboardResponse>;
  post(path: string, body?: unknown, options?: RequestOptions): Promise<SwitchboardResponse>;
  put(path: string, body?: unknown, options?: RequestOptions): Promise<SwitchboardResponse>;
  patch(path: string, body?: unknown, options?: RequestOptions): Promise<SwitchboardResponse>;
  delete(path: string, body?: unknown, options?: RequestOptions): Promise<SwitchboardResponse>;
  /**
   * Any request. `path` is percent-encoded for the wire (encodeWireText). Bodies: strings as
   * UTF-8, bytes as they are, anything else as JSON.
   */
  request(method: Method, path: string, body?: unknown, options?: RequestOptions): Promise<SwitchboardResponse>;
  /** A one-way MESSAGE frame; resolves once written to the socket (queued while connecting). */
  send(path: string, body?: unknown): Promise<void>;

  /** Asks the tokenProvider (or uses `token`) and sends it to `POST /_switchboard/auth`. */
  refreshCredentials(): Promise<{ userId: string; expiresAt: number | null }>;

  /** `POST /_switchboard/rooms/join`; the room is rejoined after every reconnect. */
  join(room: string): Promise<RoomState>;
  /** `POST /_switchboard/rooms/leave`; resolves with whether the connection was a member. */
  leave(room: string): Promise<boolean>;

  /** Calls `listener` with each recovery report (after each reconnect, and on a gap). */
  onRecovery(listener?: (report: RecoveryReport) => void): RecoverySubscription;
  /** Calls `listener` with each push whose url matches `pattern` (see compilePattern). */
  on(pattern: string, listener?: (push: Push) => void): Subscription;
  /** A store starting at `initial`, then `reducer(value, push)` per matching push (default: the push's JSON). */
  store<T>(pattern: string, initial: T, reducer?: (value: T, push: Push) => T): PushStore<T>;
}
