import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeAccept,
  formatAcceptResponse,
  formatRejection,
  isOriginAllowed,
  isValidKey,
  validateUpgradeRequest,
  type HeaderBag,
  type UpgradeRequest,
} from '../../runtime/websocket/handshake.js';
import { buildClientRequest, validateServerResponse } from '../../runtime/websocket/handshake-client.js';
import { isWampkitError } from '../../runtime/errors.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function req(headers: HeaderBag, method = 'GET', httpVersion = '1.1'): UpgradeRequest {
  return {
    method,
    httpVersion,
    headers: {
      host: 'example.com',
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': KEY,
      'sec-websocket-version': '13',
      ...headers,
    },
  };
}

function rejectedWith(r: ReturnType<typeof validateUpgradeRequest>, status: number, pattern: RegExp): void {
  assert.equal(r.ok, false, 'expected a rejection');
  if (r.ok) return;
  assert.equal(r.status, status);
  assert.match(r.reason, pattern);
}

describe('server side handshake validation', () => {
  test('computes the RFC 6455 sample accept value', () => {
    assert.equal(computeAccept(KEY), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  test('accepts a well-formed request and reports its facts', () => {
    const r = validateUpgradeRequest(
      req({
        'sec-websocket-protocol': ['wamp.2.json, wamp.2.msgpack', 'wamp.2.cbor'],
        'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits',
        origin: 'https://app.example.com',
        connection: 'keep-alive, Upgrade',
        upgrade: 'WebSocket',
      }),
    );
    assert.ok(r.ok);
    assert.equal(r.key, KEY);
    assert.equal(r.version, 13);
    assert.deepEqual(r.protocols, ['wamp.2.json', 'wamp.2.msgpack', 'wamp.2.cbor']);
    assert.equal(r.extensions[0]?.name, 'permessage-deflate');
    assert.equal(r.origin, 'https://app.example.com');
  });

  test('version 8 reads its origin from Sec-WebSocket-Origin', () => {
    const r = validateUpgradeRequest(req({ 'sec-websocket-version': '8', 'sec-websocket-origin': 'http://old.example' }));
    assert.ok(r.ok);
    assert.equal(r.version, 8);
    assert.equal(r.origin, 'http://old.example');
  });

  const rejections: [string, UpgradeRequest, number, RegExp][] = [
    ['a POST', req({}, 'POST'), 400, /GET/],
    ['HTTP/1.0', req({}, 'GET', '1.0'), 400, /HTTP\/1\.1/],
    ['no Host', req({ host: undefined }), 400, /Host/],
    ['no Upgrade', req({ upgrade: undefined }), 400, /Upgrade/],
    ['Upgrade: h2c', req({ upgrade: 'h2c' }), 400, /Upgrade/],
    ['no Connection upgrade', req({ connection: 'keep-alive' }), 400, /Connection/],
    ['no key', req({ 'sec-websocket-key': undefined }), 400, /Key missing/],
    ['a short key', req({ 'sec-websocket-key': 'AAAA' }), 400, /16 bytes/],
    ['a 17-byte key', req({ 'sec-websocket-key': Buffer.alloc(17).toString('base64') }), 400, /16 bytes/],
    ['a non-base64 key', req({ 'sec-websocket-key': '!!!!!!!!!!!!!!!!!!!!!!==' }), 400, /16 bytes/],
    ['two keys', req({ 'sec-websocket-key': [KEY, KEY] }), 400, /repeated/],
    ['a bad subprotocol', req({ 'sec-websocket-protocol': 'a b' }), 400, /subprotocol/],
    ['a repeated subprotocol', req({ 'sec-websocket-protocol': 'a, a' }), 400, /subprotocol/],
    ['a malformed extension header', req({ 'sec-websocket-extensions': 'permessage-deflate;;' }), 400, /Extensions/],
    ['two origins', req({ origin: ['http://a', 'http://b'] }), 400, /Origin/],
  ];
  for (const [what, request, status, pattern] of rejections) {
    test(`rejects ${what} with ${status}`, () => rejectedWith(validateUpgradeRequest(request), status, pattern));
  }

  test('unsupported or missing versions get 426 with the versions we speak', () => {
    for (const v of ['7', '14', 'x', undefined]) {
      const r = validateUpgradeRequest(req({ 'sec-websocket-version': v }));
      rejectedWith(r, 426, /Version/);
      if (!r.ok) assert.equal(r.headers?.['Sec-WebSocket-Version'], '13, 8');
    }
  });

  test('key validity', () => {
    assert.equal(isValidKey(KEY), true);
    assert.equal(isValidKey(Buffer.alloc(16, 0xff).toString('base64')), true);
    assert.equal(isValidKey(KEY.slice(0, -2)), false);
  });

  test('origin allow-list: exact, wildcard, case, absent', () => {
    const list = ['https://app.example.com', 'https://*.trusted.org'];
    assert.equal(isOriginAllowed('https://app.example.com', list), true);
    assert.equal(isOriginAllowed('HTTPS://APP.EXAMPLE.COM', list), true);
    assert.equal(isOriginAllowed('https://a.b.trusted.org', list), true);
    assert.equal(isOriginAllowed('https://trusted.org.evil.com', list), false);
    assert.equal(isOriginAllowed('https://evil.com', list), false);
    assert.equal(isOriginAllowed('http://app.example.com', list), false);
    assert.equal(isOriginAllowed('https://x', ['*']), true);
    assert.equal(isOriginAllowed(null, list), true);
    assert.equal(isOriginAllowed('https://evil.com', undefined), true);
  });

  test('responses: 101 head and a rejection with a short body', () => {
    const ok = formatAcceptResponse(KEY, 'wamp.2.json', 'permessage-deflate', { 'X-Extra': '1' });
    assert.match(ok, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(ok, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    assert.match(ok, /\r\nSec-WebSocket-Protocol: wamp\.2\.json\r\n/);
    assert.match(ok, /\r\nX-Extra: 1\r\n/);
    assert.ok(ok.endsWith('\r\n\r\n'));
    const sneaky = formatAcceptResponse(KEY, null, '', { 'sec-websocket-accept': 'forged', 'Bad Name': 'x', 'X-Ok': 'y' });
    assert.doesNotMatch(sneaky, /forged|Bad Name/);
    assert.match(sneaky, /\r\nX-Ok: y\r\n/);
    const no = formatRejection({ ok: false, status: 403, reason: 'origin\r\nnot allowed', headers: { 'X-Bad': 'a\r\nInjected: 1' } });
    assert.match(no, /^HTTP\/1\.1 403 Forbidden\r\n/);
    assert.doesNotMatch(no, /Injected/);
    assert.match(no, /\r\n\r\norigin not allowed\n$/);
    assert.match(no, /Content-Length: 19\r\n/);
  });
});

describe('client side handshake', () => {
  test('builds request headers and refuses to let users override handshake headers', () => {
    const { key, headers } = buildClientRequest({ protocols: ['wamp.2.json', 'wamp.2.cbor'], origin: 'http://me', headers: { 'X-A': 'b' } });
    assert.equal(isValidKey(key), true);
    assert.equal(headers['Sec-WebSocket-Key'], key);
    assert.equal(headers['Sec-WebSocket-Version'], '13');
    assert.equal(headers['Sec-WebSocket-Protocol'], 'wamp.2.json, wamp.2.cbor');
    assert.equal(headers['Origin'], 'http://me');
    assert.equal(headers['X-A'], 'b');
    assert.throws(() => buildClientRequest({ headers: { 'sec-websocket-key': KEY } }), { code: 'WS_INVALID_ARGUMENT' });
    assert.throws(() => buildClientRequest({ protocols: ['bad proto'] }), { code: 'WS_INVALID_ARGUMENT', message: /bad proto/ });
    assert.throws(() => buildClientRequest({ protocols: ['a', 'a'] }), { code: 'WS_INVALID_ARGUMENT' });
  });

  const good: HeaderBag = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': computeAccept(KEY) };
  const expect = { key: KEY, protocols: ['wamp.2.json', 'wamp.2.cbor'], offeredExtensions: ['permessage-deflate'] };

  test('accepts a correct 101 with a chosen subprotocol and an offered extension', () => {
    const r = validateServerResponse(
      { statusCode: 101, headers: { ...good, 'sec-websocket-protocol': 'wamp.2.cbor', 'sec-websocket-extensions': 'permessage-deflate' } },
      expect,
    );
    assert.equal(r.subprotocol, 'wamp.2.cbor');
    assert.equal(r.extensions.length, 1);
    assert.equal(r.extensionsHeader, 'permessage-deflate');
    assert.equal(validateServerResponse({ statusCode: 101, headers: good }, expect).subprotocol, null);
  });

  const failures: [string, number, HeaderBag, string, RegExp][] = [
    ['a wrong accept', 101, { ...good, 'sec-websocket-accept': computeAccept('x') }, 'WS_HANDSHAKE_FAILED', /Accept/],
    ['no Upgrade', 101, { ...good, upgrade: undefined }, 'WS_HANDSHAKE_FAILED', /Upgrade/],
    ['an unoffered subprotocol', 101, { ...good, 'sec-websocket-protocol': 'mqtt' }, 'WS_HANDSHAKE_FAILED', /did not offer/],
    ['two subprotocols', 101, { ...good, 'sec-websocket-protocol': 'wamp.2.json, wamp.2.cbor' }, 'WS_HANDSHAKE_FAILED', /several/],
    ['an unoffered extension', 101, { ...good, 'sec-websocket-extensions': 'x-webkit-deflate-frame' }, 'WS_HANDSHAKE_FAILED', /did not offer/],
    ['an extension twice', 101, { ...good, 'sec-websocket-extensions': 'permessage-deflate, permessage-deflate' }, 'WS_HANDSHAKE_FAILED', /twice/],
    ['a 403', 403, {}, 'WS_HANDSHAKE_FAILED', /403/],
    ['a redirect', 302, { location: 'ws://elsewhere/' }, 'WS_REDIRECT_REFUSED', /ws:\/\/elsewhere\//],
  ];
  for (const [what, statusCode, headers, code, pattern] of failures) {
    test(`fails on ${what}`, () => {
      try {
        validateServerResponse({ statusCode, headers }, expect);
        assert.fail('should have thrown');
      } catch (err) {
        assert.ok(isWampkitError(err));
        assert.equal(err.code, code);
        assert.match(err.message, pattern);
        assert.equal(err.httpStatus, statusCode);
      }
    });
  }
});
