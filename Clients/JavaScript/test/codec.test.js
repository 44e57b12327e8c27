// The wire codec against PROTOCOL.md: every worked example byte for byte, every reason text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  decodeFrame, encodeFrame, describeFrame, statusToByte, byteToStatus, encodeWireText, encodeSegment,
  FrameError, compilePattern,
} from '../switchboard.js';

const protocol = readFileSync(new URL('../../../PROTOCOL.md', import.meta.url), 'utf8');
const examples = [...protocol.matchAll(/```frame\n(.*)\n([0-9a-f ]+)\n```/g)].map(([, rendering, hexBytes]) => ({
  rendering,
  bytes: Uint8Array.from(hexBytes.trim().split(' ').map((pair) => parseInt(pair, 16))),
}));

const bytes = (...values) => Uint8Array.from(values);
const ascii = (text) => new TextEncoder().encode(text);
const concat = (...parts) => Uint8Array.from(parts.flatMap((part) => [...part]));

test('PROTOCOL.md has its worked examples', () => {
  assert.ok(examples.length >= 10, `${examples.length} examples`);
});

for (const example of examples) {
  test(`PROTOCOL.md example "${example.rendering}" decodes, renders and re-encodes byte for byte`, () => {
    const frame = decodeFrame(example.bytes);
    assert.equal(describeFrame(frame), example.rendering);
    assert.deepEqual(encodeFrame(frame), example.bytes);
  });
}

test('a batch is unpacked into its frames, in order', () => {
  const batch = examples.find((example) => example.rendering === 'BATCH 2 frames');
  const frame = decodeFrame(batch.bytes.buffer.slice(0));
  assert.equal(frame.kind, 'batch');
  assert.deepEqual(frame.frames.map(describeFrame), ['PUSH /tasks/4/created board-7-tasks@3:13 (2 bytes)', 'PUSH /notice client-a1@0:0 (4 bytes)']);
  assert.equal(new TextDecoder().decode(frame.frames[1].data), '"hi"');
});

test('status bytes follow class << 5 | detail, with the table of PROTOCOL.md', () => {
  const table = { 200: 0x40, 201: 0x41, 202: 0x42, 204: 0x44, 304: 0x64, 400: 0x80, 401: 0x81, 403: 0x83, 404: 0x84, 405: 0x85, 408: 0x88, 409: 0x89, 413: 0x8d, 422: 0x96, 429: 0x9d, 500: 0xa0, 501: 0xa1, 503: 0xa3, 504: 0xa4 };
  for (const [status, byte] of Object.entries(table)) {
    assert.equal(statusToByte(Number(status)), byte, `status ${status}`);
    assert.equal(byteToStatus(byte), Number(status), `byte ${byte}`);
  }
  assert.equal(statusToByte(451), 0x80, 'a detail above 31 becomes the class x00');
  for (const byte of [0x00, 0x1f, 0xc0, 0xe0]) assert.throws(() => byteToStatus(byte), FrameError);
});

const decodeErrors = [
  ['empty frame', bytes()],
  ['unknown frame kind byte 0x7F', bytes(0x7f, 0)],
  ['truncated header: GET frame needs 6 bytes, got 3', bytes(1, 0, 0)],
  ['truncated header: PUSH frame needs 14 bytes, got 6', bytes(0x20, 0, 0, 0, 0, 0)],
  ['GET frame must have status byte 0x00, got 0x40', bytes(1, 0x40, 0, 0, 0, 1, 0x7c, 0x7c)],
  ['unknown status byte 0xE0', bytes(0x10, 0xe0, 0, 0, 0, 1, 0x7c, 0x7c)],
  ['unknown status byte 0x00', bytes(0x10, 0x00, 0, 0, 0, 1, 0x7c, 0x7c)],
  ["missing '|' before url", bytes(1, 0, 0, 0, 0, 1, 0x2f)],
  ["missing '|' before data", concat(bytes(1, 0, 0, 0, 0, 1), ascii('|/boards'))],
  ["missing '|' before room", concat(bytes(0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), ascii('|/x'))],
  ['url too long: 2049 bytes, maximum 2048', concat(bytes(1, 0, 0, 0, 0, 1), ascii('|/' + 'a'.repeat(2048) + '|'))],
  ["invalid byte 0x20 in url at offset 3 (allowed: '!'...'~' except '|'; percent-encode the rest)", concat(bytes(1, 0, 0, 0, 0, 1), ascii('|/ab c|'))],
  ['ACK frame carries 2 unexpected byte(s) of data', concat(bytes(0x22, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), ascii('|r|xy'))],
  ['a batch may not contain a batch', bytes(0x30, 0, 0, 0, 0, 1, 0, 0, 0, 6, 0x30, 0, 0, 0, 0, 0)],
  ['batch frame 1 runs past the end of the message', bytes(0x30, 0, 0, 0, 0, 2, 0, 0, 0, 8, 1, 0, 0, 0, 0, 1, 0x7c, 0x7c, 0, 0, 0, 9, 1)],
  ['batch declares 3 frame(s) but holds 2', bytes(0x30, 0, 0, 0, 0, 3, 0, 0, 0, 8, 1, 0, 0, 0, 0, 1, 0x7c, 0x7c, 0, 0, 0, 8, 1, 0, 0, 0, 0, 2, 0x7c, 0x7c)],
  ['batch frame 0: empty frame', bytes(0x30, 0, 0, 0, 0, 1, 0, 0, 0, 0)],
];

for (const [reason, input] of decodeErrors) {
  test(`decoding fails with "${reason}"`, () => {
    assert.throws(() => decodeFrame(input), (error) => error instanceof FrameError && error.message === reason);
  });
}

test('every kind encodes and decodes to the same frame', () => {
  const frames = [
    { kind: 'request', method: 'OPTIONS', id: 0xffffffff, url: '/a?b=1', data: ascii('x') },
    { kind: 'response', id: 3, status: 405, url: '', data: ascii('{"allow":["GET"]}') },
    { kind: 'error', id: 0, status: 400, url: '', data: ascii('{"error":"x"}') },
    { kind: 'message', id: 9, url: '/typing', data: ascii('{}') },
    { kind: 'control', control: 'UNSUBSCRIBE', id: 1, url: '', data: ascii('{}') },
    { kind: 'push', url: '/p', room: '', epoch: 7, offset: 2 ** 40, data: ascii('1') },
    { kind: 'ack', room: 'board:7:presence', epoch: 1, offset: 5 },
  ];
  for (const frame of frames) {
    const decoded = decodeFrame(encodeFrame(frame));
    assert.deepEqual({ ...decoded, data: decoded.data && [...decoded.data] }, { ...frame, data: frame.data && [...frame.data] });
  }
  const offset = decodeFrame(encodeFrame({ kind: 'ack', room: 'r', epoch: 0, offset: 2n ** 63n })).offset;
  assert.equal(offset, 2n ** 63n, 'offsets past 2^53 stay exact as bigint');
});

test('encoding refuses invalid urls and rooms and nested batches', () => {
  assert.throws(() => encodeFrame({ kind: 'request', method: 'GET', id: 1, url: '/a b' }), /invalid byte 0x20 in url at offset 2/);
  assert.throws(() => encodeFrame({ kind: 'ack', room: 'r'.repeat(256), epoch: 0, offset: 0 }), /room too long: 256 bytes, maximum 255/);
  assert.throws(() => encodeFrame({ kind: 'batch', frames: [{ kind: 'batch', frames: [] }] }), /a batch may not contain a batch/);
  assert.throws(() => encodeFrame({ kind: 'batch', frames: [{ kind: 'ack', room: 'a|b', epoch: 0, offset: 0 }] }), /^FrameError: batch frame 0: invalid byte 0x7C in room/);
});

test('wire text percent-encodes space, |, controls and UTF-8 and keeps existing escapes', () => {
  assert.equal(encodeWireText('/chats/a b|c/é?q=%41'), '/chats/a%20b%7Cc/%C3%A9?q=%41');
  assert.equal(encodeSegment('board:7 é/x'), 'board%3A7%20%C3%A9%2Fx');
});

test('listener patterns match segments, decode parameters and ignore the query', () => {
  assert.deepEqual(compilePattern('/boards/:id/updated')('/boards/7/updated'), { id: '7' });
  assert.deepEqual(compilePattern('/chats/:name/new-message')('/chats/a%20b/new-message?x=1'), { name: 'a b' });
  assert.equal(compilePattern('/boards/:id/updated')('/boards/7/deleted'), null);
  assert.equal(compilePattern('/boards/:id')('/boards/7/updated'), null);
  assert.deepEqual(compilePattern('/presence/*')('/presence/demo:lobby:presence'), {});
  assert.deepEqual(compilePattern('/presence/**')('/presence/a/b/joined'), { '**': 'a/b/joined' });
  assert.deepEqual(compilePattern('/')('/'), {});
});
