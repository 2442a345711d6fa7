/**
 * The client's side of the opening handshake (RFC 6455 section 4.1) as pure functions: the
 * request headers it sends, and the checks on the server's answer (status, Upgrade,
 * Connection, Sec-WebSocket-Accept, the subprotocol and extensions it chose). client.ts does the I/O.
 */
import type { WampkitError } from '../errors.js';
import { SUPPORTED_VERSIONS } from './constants.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { isToken, parseExtensionHeader, type ExtensionElement } from './extension-header.js';
import { HttpStatus, computeAccept, generateKey, hasToken, headerList, single, type HeaderBag } from './handshake.js';

/** Headers the handshake owns; users may not set them through `headers`. */
const RESERVED_REQUEST_HEADERS = new Set([
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

export interface ClientRequestSpec {
  /** Subprotocols to offer, in order of preference. */
  readonly protocols?: readonly string[];
  readonly origin?: string;
  /** Sec-WebSocket-Extensions to offer ('' or undefined: none). */
  readonly extensions?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** For tests: a fixed key instead of a random one. */
  readonly key?: string;
}

/** Validates the subprotocol list a client offers; throws WS_INVALID_ARGUMENT naming the bad one. */
export function checkProtocolList(protocols: readonly string[]): void {
  const seen = new Set<string>();
  for (const p of protocols) {
    if (typeof p !== 'string' || !isToken(p) || seen.has(p)) {
      throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `invalid or repeated subprotocol ${JSON.stringify(p)}`);
    }
    seen.add(p);
  }
}

/** The request headers of a client handshake (version 13) and the key to check the answer against. */
export function buildClientRequest(spec: ClientRequestSpec): { key: string; headers: Record<string, string> } {
  const key = spec.key ?? generateKey();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    if (RESERVED_REQUEST_HEADERS.has(name.toLowerCase())) {
      throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `header ${name} is set by the handshake and may not be overridden`);
    }
    headers[name] = value;
  }
  headers['Upgrade'] = 'websocket';
  headers['Connection'] = 'Upgrade';
  headers['Sec-WebSocket-Key'] = key;
  headers['Sec-WebSocket-Version'] = String(SUPPORTED_VERSIONS[0]);
  const protocols = spec.protocols ?? [];
  checkProtocolList(protocols);
  if (protocols.length > 0) headers['Sec-WebSocket-Protocol'] = protocols.join(', ');
  if (spec.extensions !== undefined && spec.extensions !== '') headers['Sec-WebSocket-Extensions'] = spec.extensions;
  if (spec.origin !== undefined) headers['Origin'] = spec.origin;
  return { key, headers };
}

export interface ServerResponse {
  readonly statusCode: number;
  readonly headers: HeaderBag;
}

export interface ServerResponseExpectation {
  readonly key: string;
  readonly protocols: readonly string[];
  /** Names of the extensions we offered. */
  readonly offeredExtensions: readonly string[];
}

export interface AcceptedResponse {
  readonly subprotocol: string | null;
  readonly extensions: readonly ExtensionElement[];
  /** The raw Sec-WebSocket-Extensions value ('' if none). */
  readonly extensionsHeader: string;
}

function failed(message: string, httpStatus?: number): WampkitError {
  return wsError(WebSocketErrorCode.HANDSHAKE_FAILED, message, httpStatus === undefined ? {} : { httpStatus });
}

/** Checks the server's answer (RFC 6455 section 4.1, client steps 1-6). Throws typed errors. */
export function validateServerResponse(res: ServerResponse, expect: ServerResponseExpectation): AcceptedResponse {
  const { statusCode: status, headers } = res;
  if (status >= 300 && status < 400) {
    const location = single(headers, 'location');
    throw wsError(
      WebSocketErrorCode.REDIRECT_REFUSED,
      `server redirected (${status}) to ${location ?? '(no Location)'}; redirects are not followed`,
      { httpStatus: status },
    );
  }
  if (status !== HttpStatus.SWITCHING_PROTOCOLS) throw failed(`server answered HTTP ${status} instead of 101`, status);
  if (!hasToken(headers, 'upgrade', 'websocket')) throw failed('101 response without Upgrade: websocket', status);
  if (!hasToken(headers, 'connection', 'upgrade')) throw failed('101 response without Connection: Upgrade', status);
  const accept = single(headers, 'sec-websocket-accept');
  if (accept?.trim() !== computeAccept(expect.key)) throw failed('Sec-WebSocket-Accept does not match our key', status);

  const chosen = headerList(headers, 'sec-websocket-protocol');
  if (chosen.length > 1) throw failed(`server selected several subprotocols: ${chosen.join(', ')}`, status);
  const subprotocol = chosen[0] ?? null;
  if (subprotocol !== null && !expect.protocols.includes(subprotocol)) {
    throw failed(`server selected subprotocol ${JSON.stringify(subprotocol)} that we did not offer`, status);
  }

  const raw = headers['sec-websocket-extensions'];
  let extensions: ExtensionElement[];
  try {
    extensions = parseExtensionHeader(raw);
  } catch (err) {
    throw failed((err as Error).message, status);
  }
  const seen = new Set<string>();
  for (const ext of extensions) {
    if (!expect.offeredExtensions.includes(ext.name)) throw failed(`server accepted extension ${ext.name} that we did not offer`, status);
    if (seen.has(ext.name)) throw failed(`server accepted extension ${ext.name} twice`, status);
    seen.add(ext.name);
  }
  const extensionsHeader = raw === undefined ? '' : typeof raw === 'string' ? raw : raw.join(', ');
  return { subprotocol, extensions, extensionsHeader };
}
