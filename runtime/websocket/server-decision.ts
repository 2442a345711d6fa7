/**
 * The server's handshake decision, as pure functions: what is decided before the `onConnect`
 * hook (request checks, origin, capacity, the request object, the default subprotocol) and
 * after it (the subprotocol actually chosen, permessage-deflate, the 101's fields).
 */
import type * as http from 'node:http';
import { negotiateServerDeflate, type ServerDeflateOptions } from './deflate-negotiation.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { formatExtensionHeader } from './extension-header.js';
import { HttpStatus, isOriginAllowed, reject, repeatsSingleHeader, validateUpgradeRequest, type HandshakeRejection } from './handshake.js';
import { UpgradeRequest, type ConnectAcceptance, type ConnectionRequest } from './server-request.js';
import type { DeflateParams } from './types.js';

/** What the server knows when a request arrives. */
export interface DecisionContext {
  readonly closing: boolean;
  readonly allowedOrigins: readonly string[] | undefined;
  /** 0: no limit. */
  readonly maxConnections: number;
  /** Open connections plus handshakes still deciding (this one included). */
  readonly inFlight: number;
  readonly subprotocols: readonly string[];
  readonly selectSubprotocol: ((offered: readonly string[], request: ConnectionRequest) => string | null) | undefined;
}

export interface Prepared {
  readonly ok: true;
  readonly key: string;
  readonly request: ConnectionRequest;
  readonly subprotocol: string | null;
}

export interface Decision {
  readonly ok: true;
  readonly key: string;
  readonly request: ConnectionRequest;
  readonly subprotocol: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly deflate: DeflateParams | null;
  readonly extensions: string;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** Everything decided before the `onConnect` hook (synchronous). */
export function prepareHandshake(req: http.IncomingMessage, peer: string, ctx: DecisionContext): Prepared | HandshakeRejection {
  if (ctx.closing) return reject(HttpStatus.SERVICE_UNAVAILABLE, 'server is shutting down');
  // The request itself is validated unless a single-valued header repeats (then the exact view).
  const info = validateUpgradeRequest(
    repeatsSingleHeader(req.rawHeaders) ? { method: req.method, httpVersion: req.httpVersion, headers: req.headersDistinct } : req,
  );
  if (!info.ok) return info;
  if (!isOriginAllowed(info.origin, ctx.allowedOrigins)) return reject(HttpStatus.FORBIDDEN, `origin ${info.origin} not allowed`);
  if (ctx.maxConnections > 0 && ctx.inFlight > ctx.maxConnections) return reject(HttpStatus.SERVICE_UNAVAILABLE, 'too many connections');
  const request = new UpgradeRequest(req, peer, info);
  const subprotocol = ctx.selectSubprotocol !== undefined ? ctx.selectSubprotocol(info.protocols, request) : firstSpoken(info.protocols, ctx.subprotocols);
  return { ok: true, key: info.key, request, subprotocol };
}

/** The first offered subprotocol that we speak (a loop: no closure per handshake). */
function firstSpoken(offered: readonly string[], spoken: readonly string[]): string | null {
  for (let i = 0; i < offered.length; i++) {
    if (spoken.includes(offered[i]!)) return offered[i]!;
  }
  return null;
}

/** Everything decided after the hook (or without one): the subprotocol check and deflate. */
export function settleHandshake(prepared: Prepared, acceptance: ConnectAcceptance | undefined, deflate: ServerDeflateOptions | null): Decision {
  const { request } = prepared;
  const subprotocol = acceptance?.subprotocol !== undefined ? acceptance.subprotocol : prepared.subprotocol;
  if (subprotocol !== null && !request.protocols.includes(subprotocol)) {
    throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `selected subprotocol ${JSON.stringify(subprotocol)} was not offered`);
  }
  const negotiated = deflate === null ? null : negotiateServerDeflate(request.extensions, deflate);
  return {
    ok: true,
    key: prepared.key,
    request,
    subprotocol,
    headers: acceptance?.headers ?? NO_HEADERS,
    deflate: negotiated?.params ?? null,
    extensions: negotiated === null ? '' : formatExtensionHeader([negotiated.element]),
  };
}
