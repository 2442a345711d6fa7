// The shape of the WAMP sessions' message paths (issue 12): each side dispatches inbound
// messages in one switch and hands outbound messages to the transport in one file; messages
// are built by the typed constructors, never as bare arrays; the session classes carry no
// static handler aliases (which would leak into the public .d.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationSession } from '../../runtime/wamp/session.js';
import { RouterSession } from '../../runtime/router/router-session.js';

const runtime = fileURLToPath(new URL('../../runtime/', import.meta.url));

function filesOf(dir: string): Array<[string, string]> {
  return readdirSync(join(runtime, dir))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => [`${dir}/${name}`, readFileSync(join(runtime, dir, name), 'utf8')]);
}

const SIDES = { client: filesOf('wamp'), router: filesOf('router') };

test('the session classes have no static members', () => {
  const builtIn = new Set(['length', 'name', 'prototype']);
  for (const cls of [ApplicationSession, RouterSession]) {
    assert.deepEqual(Object.getOwnPropertyNames(cls).filter((n) => !builtIn.has(n)), [], cls.name);
  }
});

test('each side hands messages to a transport in one file', () => {
  const senders = (files: Array<[string, string]>): string[] =>
    files.filter(([, text]) => /\btransport\.send(?:Shared)?\(/.test(text)).map(([name]) => name);
  assert.deepEqual(senders(SIDES.client), ['wamp/session-outbound.ts']);
  assert.deepEqual(senders(SIDES.router), ['router/outbound.ts']);
});

test('each side dispatches inbound messages in one switch on the message type', () => {
  const dispatchers = (files: Array<[string, string]>): string[] =>
    files.filter(([, text]) => /switch \(msg\.type\)/.test(text)).map(([name]) => name);
  assert.deepEqual(dispatchers(SIDES.client), ['wamp/session.ts']);
  assert.deepEqual(dispatchers(SIDES.router), ['router/router-session.ts']);
});

test('no message is built as a bare array outside the message model', () => {
  const handBuilt: string[] = [];
  for (const [name, text] of [...SIDES.client, ...SIDES.router]) {
    // The message model itself, and the tables of message types (sets and lists of codes).
    if (/^wamp\/(messages(-\w+)?|message-types)\.ts$/.test(name)) continue;
    for (const m of text.matchAll(/(?<!Set\()\[\s*MessageType\.[A-Z_]+\s*,/g)) handBuilt.push(`${name}:${text.slice(0, m.index).split('\n').length}`);
  }
  assert.deepEqual(handBuilt, []);
});
