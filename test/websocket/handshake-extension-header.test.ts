import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extensionElement, formatExtensionHeader, parseExtensionHeader } from '../../runtime/websocket/extension-header.js';

const asObj = (h: string | string[]) =>
  parseExtensionHeader(h).map((e) => ({ name: e.name, params: Object.fromEntries(e.params) }));

test('parses names, bare and valued parameters, quoted strings, lists and repeated headers', () => {
  assert.deepEqual(asObj('permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate'), [
    { name: 'permessage-deflate', params: { client_max_window_bits: true, server_max_window_bits: '10' } },
    { name: 'permessage-deflate', params: {} },
  ]);
  assert.deepEqual(asObj(['foo;a="1" ;  b = 2', ' , bar']), [
    { name: 'foo', params: { a: '1', b: '2' } },
    { name: 'bar', params: {} },
  ]);
  assert.deepEqual(asObj('foo; a="x\\yz"'), [{ name: 'foo', params: { a: 'xyz' } }]);
  assert.deepEqual(asObj(''), []);
  assert.deepEqual(parseExtensionHeader(undefined), []);
});

test('rejects grammar errors and duplicate parameters with a 400 handshake error', () => {
  for (const bad of [
    'foo;',
    'foo; a=',
    'foo; =1',
    'foo bar',
    'foo; a="unterminated',
    'foo; a="not a token"',
    'foo; a=1 b',
    'foo; a; a',
    'foo; a=1; a=2',
    'fo(o',
    ';a',
  ]) {
    assert.throws(() => parseExtensionHeader(bad), { code: 'WS_HANDSHAKE_FAILED', httpStatus: 400 }, bad);
  }
  // The same parameter in two different elements is fine.
  assert.equal(parseExtensionHeader('foo; a, foo; a').length, 2);
});

test('format then parse round-trips, and non-tokens are refused', () => {
  const list = [
    extensionElement('permessage-deflate', [['server_no_context_takeover', true], ['client_max_window_bits', '9']]),
    extensionElement('x-other'),
  ];
  const text = formatExtensionHeader(list);
  assert.equal(text, 'permessage-deflate; server_no_context_takeover; client_max_window_bits=9, x-other');
  assert.deepEqual(parseExtensionHeader(text), list);
  assert.throws(() => formatExtensionHeader([extensionElement('a b')]), { code: 'WS_INVALID_ARGUMENT' });
  assert.throws(() => formatExtensionHeader([extensionElement('a', [['k', 'v w']])]), { code: 'WS_INVALID_ARGUMENT' });
});
