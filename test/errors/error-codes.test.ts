// Error codes: one `as const` table per layer, their union is WampkitError['code'], createError
// takes only a code from a table, and every code that existed before the tables still exists
// (codes are public API).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createError, type ErrorCode, type WampkitError } from '../../runtime/errors.js';
import { LogErrorCode, NvxErrorCode } from '../../runtime/error-codes.js';
import { WebSocketErrorCode } from '../../runtime/websocket/errors.js';
import { WampErrorCode } from '../../runtime/wamp/error-codes.js';
import { TransportErrorCode } from '../../runtime/transports/error-codes.js';
import { SerializerErrorCode } from '../../runtime/serializers/error-codes.js';
import { RouterErrorCode } from '../../runtime/router/index.js';
import { AuthErrorCode } from '../../runtime/auth/index.js';
import { SessionErrorCode, ComponentErrorCode } from '../../runtime/index.js';
import { ProtocolErrorCode } from '../../runtime/wamp/protocol-error.js';
import { UriMatcherErrorCode } from '../../runtime/router/uri-matcher.js';
import { StaticFilesErrorCode } from '../../runtime/router/static-files.js';
import { NVX_INVALID_ARGUMENT } from '../../runtime/nvx.js';
import { StubsErrorCode } from '../../runtime/stubs/error-codes.js';

const runtime = fileURLToPath(new URL('../../runtime/', import.meta.url));

const TABLES = {
  WebSocketErrorCode, WampErrorCode, TransportErrorCode, SerializerErrorCode, RouterErrorCode, AuthErrorCode, LogErrorCode, NvxErrorCode, StubsErrorCode,
};
const ALL = new Set<string>(Object.values(TABLES).flatMap((t) => Object.values(t)));

/** Every code string wampkit raised before the tables existed (public API: none may disappear). */
const EXISTING = [
  'WS_PROTOCOL_ERROR', 'WS_INVALID_UTF8', 'WS_MESSAGE_TOO_BIG', 'WS_INVALID_CLOSE_CODE', 'WS_INFLATE_FAILED', 'WS_HANDSHAKE_FAILED',
  'WS_HANDSHAKE_TIMEOUT', 'WS_REDIRECT_REFUSED', 'WS_PROXY_FAILED', 'WS_PING_TIMEOUT', 'WS_NOT_OPEN', 'WS_DEFLATE_FAILED', 'WS_INVALID_ARGUMENT',
  'WAMP_INVALID_MESSAGE', 'WAMP_BAD_LENGTH', 'WAMP_INVALID_ID', 'WAMP_INVALID_URI', 'WAMP_INVALID_TYPE', 'WAMP_INVALID_OPTION',
  'WAMP_INVALID_PAYLOAD', 'WAMP_SERIALIZATION', 'WAMP_RAWSOCKET', 'WAMP_NOT_JOINED', 'WAMP_SESSION_LOST', 'WAMP_JOIN_FAILED',
  'WAMP_INVALID_ARGUMENT', 'WAMP_FEATURE_NOT_SUPPORTED', 'WAMP_RETRIES_EXHAUSTED', 'WAMP_JOIN_REFUSED',
  'WAMP_MESSAGE_TOO_BIG', 'WAMP_BAD_MESSAGE', 'WAMP_NO_SUBPROTOCOL', 'WAMP_CONNECT_TIMEOUT', 'WAMP_CONNECT_FAILED',
  'WAMP_RAWSOCKET_TIMEOUT', 'WAMP_PING_TIMEOUT',
  'ROUTER_INVALID_OPTION', 'ROUTER_LISTEN_FAILED', 'ROUTER_INVALID_PATTERN', 'ROUTER_UNKNOWN_MATCH_POLICY', 'STATIC_FILES_INVALID_OPTION',
  'AUTH_INVALID_OPTION', 'AUTH_BAD_CHALLENGE', 'AUTH_BAD_WELCOME', 'AUTH_FAILED', 'AUTH_NO_SUCH_PRINCIPAL', 'AUTH_NO_MATCHING_METHOD',
  'AUTH_DENIED', 'AUTH_PROTOCOL_VIOLATION',
  'LOG_INVALID_SPEC', 'NVX_INVALID_ARGUMENT',
];

test('every code that existed before the tables is in one of them', () => {
  for (const code of EXISTING) assert.ok(ALL.has(code), `${code} is in a layer's table`);
});

test('the older per-module tables are views of their layer\'s table, with unchanged values', () => {
  for (const [name, view] of Object.entries({ SessionErrorCode, ComponentErrorCode, ProtocolErrorCode, UriMatcherErrorCode, StaticFilesErrorCode })) {
    for (const [key, code] of Object.entries(view)) assert.ok(ALL.has(code), `${name}.${key} = ${code}`);
  }
  assert.equal(NVX_INVALID_ARGUMENT, NvxErrorCode.INVALID_ARGUMENT);
  assert.equal(SessionErrorCode.NOT_JOINED, 'WAMP_NOT_JOINED');
  assert.equal(ComponentErrorCode.JOIN_REFUSED, 'WAMP_JOIN_REFUSED');
});

test('codes are upper-case words joined by _, each starting with its layer\'s prefix', () => {
  const prefixes: Record<string, RegExp> = {
    WebSocketErrorCode: /^WS_/, WampErrorCode: /^WAMP_/, TransportErrorCode: /^WAMP_/, SerializerErrorCode: /^(WAMP|SERIALIZER)_/,
    RouterErrorCode: /^(ROUTER|STATIC_FILES)_/, AuthErrorCode: /^AUTH_/, LogErrorCode: /^LOG_/, NvxErrorCode: /^NVX_/, StubsErrorCode: /^STUBS_/,
  };
  for (const [name, table] of Object.entries(TABLES)) {
    for (const code of Object.values(table)) {
      assert.match(code, /^[A-Z]+(_[A-Z0-9]+)+$/, `${name}: ${code}`);
      assert.match(code, prefixes[name]!, `${name}: ${code}`);
    }
  }
});

test('createError takes only a code from a table (checked by the compiler); the code is typed', () => {
  const error: WampkitError = createError(WampErrorCode.NOT_JOINED, 'not joined');
  const code: ErrorCode = error.code;
  assert.equal(code, 'WAMP_NOT_JOINED');
  // @ts-expect-error: a string that is no table's code is refused at compile time.
  assert.equal(createError('WAMP_NOT_A_CODE', 'x').code, 'WAMP_NOT_A_CODE');
});

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

test('no runtime module passes a code as a bare string literal: codes come from the tables', () => {
  const loose: string[] = [];
  for (const file of sources(runtime)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:createError|new WampkitError|protocolError|wsError|authError)\(\s*['"`]/g)) {
      loose.push(`${file.slice(runtime.length)}:${text.slice(0, m.index).split('\n').length}`);
    }
  }
  assert.deepEqual(loose, []);
});
