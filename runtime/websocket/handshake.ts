/**
 * The opening handshake (RFC 6455 section 4) as pure functions, server side and shared parts:
 * validate a client's upgrade request into either the facts the server needs or an HTTP
 * status with a reason; compute Sec-WebSocket-Accept; format the 101 or the refusal. The
 * client's side (its request, checking the server's answer) is handshake-client.ts.
 * No sockets here: server.ts and client.ts do the I/O.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import { HANDSHAKE_GUID, SUPPORTED_VERSIONS } from './constants.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { isToken, parseExtensionHeader, type ExtensionElement } from './extension-header.js';
import type { ConnectionInit } from './types.js';

/** Per-connection settings (limits, timers, receive mode) that server and client options pass on. */
export type ConnectionSettings = Omit<ConnectionInit, 'role' | 'subprotocol' | 'extensions' | 'deflate' | 'peer'>;

/** HTTP statuses the handshake answers with. */
export const HttpStatus = {
  SWITCHING_PROTOCOLS: 101,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  UPGRADE_REQUIRED: 426,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

const REASON_PHRASE: Readonly<Record<number, string>> = {
  101: 'Switching Protocols',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The key is 16 random bytes, base64: always 24 characters ending in "==". */
const KEY_BYTES = 16;
const KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

/** Headers with lower-case names; repeated headers as arrays (node's `headersDistinct`). */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What a valid upgrade request tells the server. */
export interface UpgradeRequestInfo {
  readonly ok: true;
  readonly key: string;
  /** 13 or 8. */
  readonly version: (typeof SUPPORTED_VERSIONS)[number];
  /** Offered subprotocols in the client's order of preference. */
  readonly protocols: readonly string[];
  /** Offered extensions in the client's order of preference. */
  readonly extensions: readonly ExtensionElement[];
  /** Origin (Sec-WebSocket-Origin for version 8), or null when the client sent none. */
  readonly origin: string | null;
}

/** An HTTP answer instead of 101. */
export interface HandshakeRejection {
  readonly ok: false;
  readonly status: number;
  readonly reason: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function reject(status: number, reason: string, headers?: Record<string, string>): HandshakeRejection {
  return headers === undefined ? { ok: false, status, reason } : { ok: false, status, reason, headers };
}

/**
 * node's one-shot digest (node >= 20.12; read off the namespace, since a named import would not
 * link on older 20.x): no Hash object and native handle per handshake.
 */
const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string }).hash;

/** Sec-WebSocket-Accept for a key (RFC 6455 section 4.2.2, step 5.4). */
export function computeAccept(key: string): string {
  const data = key + HANDSHAKE_GUID;
  return oneShotHash !== undefined ? oneShotHash('sha1', data, 'base64') : createHash('sha1').update(data).digest('base64');
}

export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * True when the key is base64 that decodes to exactly 16 bytes. The pattern says it all: 22
 * base64 characters and "==" are 16 bytes (decoding one to check would cost every handshake a
 * Buffer).
 */
export function isValidKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** All values of a header, split on commas, trimmed, empties dropped. */
export function headerList(headers: HeaderBag, name: string): string[] {
  const raw = headers[name];
  if (raw === undefined) return [];
  const values = typeof raw === 'string' ? [raw] : raw;
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** A header that must appear at most once: its value, undefined if absent, null if repeated. */
export function single(headers: HeaderBag, name: string): string | undefined | null {
  const raw = headers[name];
  if (raw === undefined || typeof raw === 'string') return raw;
  if (raw.length > 1) return null;
  return raw[0];
}

const Ascii = { TAB: 0x09, SPACE: 0x20, UPPER_A: 0x41, UPPER_Z: 0x5a, CASE_BIT: 0x20 } as const;

function isSpace(c: number): boolean {
  return c === Ascii.SPACE || c === Ascii.TAB;
}

/**
 * `value` without surrounding spaces/tabs (RFC 7230 OWS) equals `lower` ignoring ASCII case:
 * `trim().toLowerCase()` would make a new string for every "Upgrade" header.
 */
function equalsIgnoringCase(value: string, lower: string): boolean {
  let start = 0;
  let end = value.length;
  while (start < end && isSpace(value.charCodeAt(start))) start++;
  while (end > start && isSpace(value.charCodeAt(end - 1))) end--;
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const c = value.charCodeAt(start + i);
    if ((c >= Ascii.UPPER_A && c <= Ascii.UPPER_Z ? c | Ascii.CASE_BIT : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export function hasToken(headers: HeaderBag, name: string, token: string): boolean {
  const raw = headers[name];
  if (raw === undefined) return false;
  // One plain value ("websocket", "Upgrade") is the usual case: no list to build for it.
  const one = typeof raw === 'string' ? raw : raw.length === 1 ? raw[0] : undefined;
  if (one !== undefined && !one.includes(',')) return equalsIgnoringCase(one, token);
  return headerList(headers, name).some((v) => v.toLowerCase() === token);
}

/** Parses Sec-WebSocket-Protocol; throws WS_HANDSHAKE_FAILED (400) on a non-token or duplicate. */
export function parseProtocolHeader(headers: HeaderBag): string[] {
  if (headers['sec-websocket-protocol'] === undefined) return [];
  const list = headerList(headers, 'sec-websocket-protocol');
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    // Offers are a handful of names: a scan of the earlier ones beats building a Set.
    if (!isToken(p) || list.indexOf(p) !== i) {
      throw wsError(WebSocketErrorCode.HANDSHAKE_FAILED, `invalid or repeated subprotocol ${JSON.stringify(p)}`, {
        httpStatus: HttpStatus.BAD_REQUEST,
      });
    }
  }
  return list;
}

/** Request headers that must appear at most once (validateUpgradeRequest rejects repeats). */
const SINGLE_REQUEST_HEADERS = ['host', 'origin', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-origin'] as const;

/** `name` equals `lower` (all lower-case letters and "-") ignoring ASCII case, without allocating. */
function sameHeaderName(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < name.length; i++) {
    // Setting the case bit maps A-Z to a-z; of the other characters only CR would map onto
    // one of ours ("-"), and a header name cannot hold CR.
    if ((name.charCodeAt(i) | Ascii.CASE_BIT) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * True when one of the headers that must appear once is repeated, judged on node's
 * `rawHeaders` (name, value, name, value, ...). Only then does validation need node's
 * `headersDistinct`: otherwise the joined `headers` say the same (list headers joined with ", "
 * are the same list), and building `headersDistinct` costs every handshake an object of arrays.
 */
export function repeatsSingleHeader(rawHeaders: readonly string[]): boolean {
  for (let h = 0; h < SINGLE_REQUEST_HEADERS.length; h++) {
    const single = SINGLE_REQUEST_HEADERS[h]!;
    let seen = false;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      if (!sameHeaderName(rawHeaders[i]!, single)) continue;
      if (seen) return true;
      seen = true;
    }
  }
  return false;
}

export interface UpgradeRequest {
  /** node's IncomingMessage fits as it is (its `method` is typed optional). */
  readonly method?: string | undefined;
  /** "1.1", as node's IncomingMessage.httpVersion. */
  readonly httpVersion: string;
  readonly headers: HeaderBag;
}

const NONE: readonly never[] = Object.freeze([]);
const VERSION_BY_TEXT: ReadonlyMap<string, (typeof SUPPORTED_VERSIONS)[number]> = new Map(SUPPORTED_VERSIONS.map((v) => [String(v), v]));

/** True for an object without own enumerable properties (without listing them into an array). */
function isEmptyRecord(record: Readonly<Record<string, string>>): boolean {
  for (const name in record) if (Object.hasOwn(record, name)) return false;
  return true;
}

/** Validates an upgrade request (RFC 6455 section 4.2.1). Never throws. */
export function validateUpgradeRequest(req: UpgradeRequest): UpgradeRequestInfo | HandshakeRejection {
  if (req.method !== 'GET') return reject(HttpStatus.BAD_REQUEST, `method must be GET, not ${req.method ?? ''}`);
  if (req.httpVersion !== '1.1') return reject(HttpStatus.BAD_REQUEST, `HTTP/1.1 required, not HTTP/${req.httpVersion}`);
  const { headers } = req;
  const host = single(headers, 'host');
  if (host === undefined || host === null || host === '') return reject(HttpStatus.BAD_REQUEST, 'exactly one Host header required');
  if (!hasToken(headers, 'upgrade', 'websocket')) return reject(HttpStatus.BAD_REQUEST, 'Upgrade: websocket required');
  if (!hasToken(headers, 'connection', 'upgrade')) return reject(HttpStatus.BAD_REQUEST, 'Connection: Upgrade required');

  const versionText = single(headers, 'sec-websocket-version');
  const versionTrimmed = versionText?.trim();
  const version = versionTrimmed === undefined ? undefined : VERSION_BY_TEXT.get(versionTrimmed);
  if (version === undefined) {
    return reject(HttpStatus.UPGRADE_REQUIRED, `unsupported Sec-WebSocket-Version ${JSON.stringify(versionText ?? null)}`, {
      'Sec-WebSocket-Version': SUPPORTED_VERSIONS.join(', '),
    });
  }

  const key = single(headers, 'sec-websocket-key');
  if (key === undefined) return reject(HttpStatus.BAD_REQUEST, 'Sec-WebSocket-Key missing');
  if (key === null) return reject(HttpStatus.BAD_REQUEST, 'Sec-WebSocket-Key repeated');
  const trimmedKey = key.trim();
  if (!isValidKey(trimmedKey)) return reject(HttpStatus.BAD_REQUEST, 'Sec-WebSocket-Key must be base64 of 16 bytes');

  const origin = single(headers, version === 8 ? 'sec-websocket-origin' : 'origin');
  if (origin === null) return reject(HttpStatus.BAD_REQUEST, 'Origin repeated');

  let protocols: readonly string[];
  let extensions: readonly ExtensionElement[];
  try {
    // Absent headers (the usual case) need no parsing and no fresh empty lists.
    protocols = headers['sec-websocket-protocol'] === undefined ? NONE : parseProtocolHeader(headers);
    const offer = headers['sec-websocket-extensions'];
    extensions = offer === undefined ? NONE : parseExtensionHeader(offer);
  } catch (err) {
    return reject(HttpStatus.BAD_REQUEST, (err as Error).message);
  }
  return { ok: true, key: trimmedKey, version, protocols, extensions, origin: origin ?? null };
}

/**
 * Origin allow-list check. Patterns match the whole origin case-insensitively; `*` stands for
 * any run of characters ("https://*.example.com", "*"). A request without an Origin passes:
 * only browsers send one, and the allow-list exists to stop foreign pages in browsers.
 */
export function isOriginAllowed(origin: string | null, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined || origin === null) return true;
  const o = origin.toLowerCase();
  return allowed.some((pattern) => {
    const re = new RegExp(
      '^' + pattern.toLowerCase().split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*') + '$',
    );
    return re.test(o);
  });
}

/** A peer as logs show it: "tcp:127.0.0.1:54321", "tcp:[::1]:443". */
export function formatPeer(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return 'tcp:unknown';
  // join() makes one flat string; a template literal leaves a chain of cons strings (about
  // 100 bytes more, held by every open connection as its `peer`).
  return ['tcp', address.includes(':') ? `[${address}]` : address, String(port ?? 0)].join(':');
}

/** The raw text of an HTTP/1.1 response head (and a short plain-text body for errors). */
export function formatHttpResponse(status: number, headers: Readonly<Record<string, string>> = {}, body = ''): string {
  let head = `HTTP/1.1 ${status} ${REASON_PHRASE[status] ?? 'Unknown'}\r\n`;
  const own: Record<string, string> =
    status === HttpStatus.SWITCHING_PROTOCOLS
      ? {}
      : { Connection: 'close', 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) };
  const ownNames = new Set(Object.keys(own).map((n) => n.toLowerCase()));
  for (const [name, value] of [...Object.entries(headers).filter(([n]) => !ownNames.has(n.toLowerCase())), ...Object.entries(own)]) {
    // A hook's header must not split the response (CR/LF) or break its grammar (a non-token name).
    if (!isToken(name) || /[\r\n\0]/.test(value)) continue;
    head += `${name}: ${value}\r\n`;
  }
  return head + '\r\n' + body;
}

/** Headers of the 101 that only the handshake sets. */
const RESERVED_RESPONSE_HEADERS = new Set(['upgrade', 'connection', 'sec-websocket-accept', 'sec-websocket-protocol', 'sec-websocket-extensions']);

export function formatRejection(rejection: HandshakeRejection): string {
  return formatHttpResponse(rejection.status, rejection.headers, rejection.reason.replace(/[\r\n]+/g, ' ') + '\n');
}

const ACCEPT_HEAD =
  `HTTP/1.1 ${HttpStatus.SWITCHING_PROTOCOLS} ${REASON_PHRASE[HttpStatus.SWITCHING_PROTOCOLS] ?? 'Unknown'}\r\n` +
  'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ';

/** The 101 answer. */
export function formatAcceptResponse(
  key: string,
  subprotocol: string | null,
  extensions: string,
  extra: Readonly<Record<string, string>> = {},
): string {
  // The usual case (no hook headers) is built directly: the generic path's entries, filters and
  // Set are garbage on every handshake. The subprotocol passed the token check when offered.
  if (isEmptyRecord(extra)) {
    const accept = computeAccept(key);
    // One concatenation in the plain case: each `+=` step would leave a cons string behind.
    if (subprotocol === null && extensions === '') return ACCEPT_HEAD + accept + '\r\n\r\n';
    let head = ACCEPT_HEAD + accept + '\r\n';
    if (subprotocol !== null) head += 'Sec-WebSocket-Protocol: ' + subprotocol + '\r\n';
    if (extensions !== '') head += 'Sec-WebSocket-Extensions: ' + extensions + '\r\n';
    return head + '\r\n';
  }
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(extra).filter(([name]) => !RESERVED_RESPONSE_HEADERS.has(name.toLowerCase()))),
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Accept': computeAccept(key),
  };
  if (subprotocol !== null) headers['Sec-WebSocket-Protocol'] = subprotocol;
  if (extensions !== '') headers['Sec-WebSocket-Extensions'] = extensions;
  return formatHttpResponse(HttpStatus.SWITCHING_PROTOCOLS, headers);
}
