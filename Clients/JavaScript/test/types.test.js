// switchboard.d.ts declares exactly what switchboard.js exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as module from '../switchboard.js';

test('every export of switchboard.js has a declaration in switchboard.d.ts, and nothing more', () => {
  const declarations = readFileSync(new URL('../switchboard.d.ts', import.meta.url), 'utf8');
  const declared = new Set([...declarations.matchAll(/^export (?:class|function|const) (\w+)/gm)].map((match) => match[1]));
  assert.deepEqual([...declared].sort(), Object.keys(module).sort());
});
