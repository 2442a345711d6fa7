/**
 * permessage-deflate parameter negotiation (RFC 7692 section 7.1), both sides, as pure functions.
 *
 * The server walks the client's offers in preference order, declines the ones it cannot take
 * (unknown or malformed parameters), answers the first acceptable one, and a user hook may
 * replace, modify or veto that choice. The client builds its offer from options, then checks the
 * server's answer against it. Either way the result is the `DeflateParams` both ends agree on.
 */
import type { WampkitError } from '../errors.js';
import { PerMessageDeflate } from './constants.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { extensionElement, type ExtensionElement } from './extension-header.js';
import type { DeflateParams } from './types.js';

const P = PerMessageDeflate;
/** RFC 7692 section 7.1.2: 8..15 in decimal without leading zeros. */
const WINDOW_BITS = /^(?:[89]|1[0-5])$/;

/** A client's offer, as the server sees it after validation. */
export interface DeflateOffer {
  /** Position among the permessage-deflate offers (0 = most preferred). */
  readonly index: number;
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  /** The server window the client asks for; null if not asked. */
  readonly serverMaxWindowBits: number | null;
  /** null: not offered; true: offered without a value; a number: the client's own limit. */
  readonly clientMaxWindowBits: number | true | null;
}

/** A server's answer to one offer. Window bits null means "leave the parameter out". */
export interface DeflateResponse {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: number | null;
  readonly clientMaxWindowBits: number | null;
}

/** Which offer the server accepts and what it answers. */
export interface DeflateAgreement {
  readonly offerIndex: number;
  readonly response: DeflateResponse;
}

export interface ServerDeflateOptions {
  /** Reset our compressor after each message, even if the client did not ask. */
  serverNoContextTakeover?: boolean;
  /** Require the client to reset its compressor after each message. */
  clientNoContextTakeover?: boolean;
  /** Largest window our compressor uses, 8..15 (answered even when the client did not ask). */
  serverMaxWindowBits?: number;
  /** Largest window the client may use, 8..15 (only answerable when the client offered the parameter). */
  clientMaxWindowBits?: number;
  /**
   * Sees every acceptable offer and the default choice. Return an agreement (the default, a
   * modified one, or one for another offer), null to decline permessage-deflate, or undefined to
   * keep the default. The answer is checked against its offer.
   */
  accept?: (offers: readonly DeflateOffer[], proposal: DeflateAgreement | null) => DeflateAgreement | null | undefined;
}

export interface ClientDeflateOptions {
  /** Ask the server to reset its compressor after each message. */
  serverNoContextTakeover?: boolean;
  /** Promise to reset our compressor after each message. */
  clientNoContextTakeover?: boolean;
  /** Ask the server to use at most this window, 8..15. */
  serverMaxWindowBits?: number;
  /** true (default): offer client_max_window_bits without a value; a number: our limit; false: leave it out. */
  clientMaxWindowBits?: number | boolean;
  /**
   * Sees the server's answer and the resulting parameters. Return false to fail the
   * connection, modified parameters to use those, or true/undefined to accept.
   */
  accept?: (response: DeflateResponse, params: DeflateParams) => boolean | DeflateParams | undefined;
}

function badOption(what: string, value: unknown): WampkitError {
  return wsError(WebSocketErrorCode.INVALID_ARGUMENT, `perMessageDeflate.${what} must be ${value === undefined ? 'set' : 'valid'}, got ${JSON.stringify(value)}`);
}

function checkBits(name: string, value: unknown, allowBoolean = false): void {
  if (value === undefined) return;
  if (allowBoolean && typeof value === 'boolean') return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < P.MIN_WINDOW_BITS || value > P.MAX_WINDOW_BITS) {
    throw wsError(
      WebSocketErrorCode.INVALID_ARGUMENT,
      `perMessageDeflate.${name} must be an integer ${P.MIN_WINDOW_BITS}..${P.MAX_WINDOW_BITS}${allowBoolean ? ' or a boolean' : ''}, got ${JSON.stringify(value)}`,
    );
  }
}

function checkFlag(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw badOption(name, value);
}

/** Validates server options at the public boundary. */
export function checkServerDeflateOptions(opts: ServerDeflateOptions): void {
  checkFlag('serverNoContextTakeover', opts.serverNoContextTakeover);
  checkFlag('clientNoContextTakeover', opts.clientNoContextTakeover);
  checkBits('serverMaxWindowBits', opts.serverMaxWindowBits);
  checkBits('clientMaxWindowBits', opts.clientMaxWindowBits);
  if (opts.accept !== undefined && typeof opts.accept !== 'function') throw badOption('accept', typeof opts.accept);
}

/** Validates client options at the public boundary. */
export function checkClientDeflateOptions(opts: ClientDeflateOptions): void {
  checkFlag('serverNoContextTakeover', opts.serverNoContextTakeover);
  checkFlag('clientNoContextTakeover', opts.clientNoContextTakeover);
  checkBits('serverMaxWindowBits', opts.serverMaxWindowBits);
  checkBits('clientMaxWindowBits', opts.clientMaxWindowBits, true);
  if (opts.accept !== undefined && typeof opts.accept !== 'function') throw badOption('accept', typeof opts.accept);
}

/** Reads one permessage-deflate element into an offer; null if the server must decline it. */
export function parseOffer(el: ExtensionElement, index: number): DeflateOffer | null {
  let serverNoContextTakeover = false;
  let clientNoContextTakeover = false;
  let serverMaxWindowBits: number | null = null;
  let clientMaxWindowBits: number | true | null = null;
  for (const [name, value] of el.params) {
    switch (name) {
      case P.SERVER_NO_CONTEXT_TAKEOVER:
        if (value !== true) return null;
        serverNoContextTakeover = true;
        break;
      case P.CLIENT_NO_CONTEXT_TAKEOVER:
        if (value !== true) return null;
        clientNoContextTakeover = true;
        break;
      case P.SERVER_MAX_WINDOW_BITS:
        if (value === true || !WINDOW_BITS.test(value)) return null;
        serverMaxWindowBits = Number(value);
        break;
      case P.CLIENT_MAX_WINDOW_BITS:
        if (value !== true && !WINDOW_BITS.test(value)) return null;
        clientMaxWindowBits = value === true ? true : Number(value);
        break;
      default:
        return null;
    }
  }
  return { index, serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits };
}

/** The server's default answer to one offer under its options. */
export function defaultResponse(offer: DeflateOffer, opts: ServerDeflateOptions): DeflateResponse {
  let serverMaxWindowBits: number | null = null;
  if (offer.serverMaxWindowBits !== null) {
    serverMaxWindowBits = Math.min(offer.serverMaxWindowBits, opts.serverMaxWindowBits ?? P.MAX_WINDOW_BITS);
  } else if (opts.serverMaxWindowBits !== undefined && opts.serverMaxWindowBits < P.MAX_WINDOW_BITS) {
    serverMaxWindowBits = opts.serverMaxWindowBits;
  }
  let clientMaxWindowBits: number | null = null;
  if (offer.clientMaxWindowBits !== null) {
    const offered = offer.clientMaxWindowBits === true ? P.MAX_WINDOW_BITS : offer.clientMaxWindowBits;
    const limit = Math.min(offered, opts.clientMaxWindowBits ?? P.MAX_WINDOW_BITS);
    // Echo a limit only when one exists, so both ends name the same window.
    if (limit < P.MAX_WINDOW_BITS || offer.clientMaxWindowBits !== true) clientMaxWindowBits = limit;
  }
  return {
    serverNoContextTakeover: offer.serverNoContextTakeover || opts.serverNoContextTakeover === true,
    clientNoContextTakeover: offer.clientNoContextTakeover || opts.clientNoContextTakeover === true,
    serverMaxWindowBits,
    clientMaxWindowBits,
  };
}

/** Throws WS_INVALID_ARGUMENT when a (hook-made) answer is not a legal response to its offer. */
export function checkResponse(offer: DeflateOffer, res: DeflateResponse): void {
  const bad = (why: string): WampkitError =>
    wsError(WebSocketErrorCode.INVALID_ARGUMENT, `permessage-deflate answer to offer ${offer.index} is invalid: ${why}`);
  for (const [name, v] of [
    ['serverMaxWindowBits', res.serverMaxWindowBits],
    ['clientMaxWindowBits', res.clientMaxWindowBits],
  ] as const) {
    if (v !== null && (!Number.isInteger(v) || v < P.MIN_WINDOW_BITS || v > P.MAX_WINDOW_BITS)) throw bad(`${name} ${v} is out of range`);
  }
  if (offer.serverNoContextTakeover && !res.serverNoContextTakeover) throw bad('the client asked for server_no_context_takeover');
  if (offer.serverMaxWindowBits !== null && (res.serverMaxWindowBits === null || res.serverMaxWindowBits > offer.serverMaxWindowBits)) {
    throw bad(`server_max_window_bits must be at most ${offer.serverMaxWindowBits}`);
  }
  if (res.clientMaxWindowBits !== null) {
    if (offer.clientMaxWindowBits === null) throw bad('client_max_window_bits was not offered');
    if (offer.clientMaxWindowBits !== true && res.clientMaxWindowBits > offer.clientMaxWindowBits) {
      throw bad(`client_max_window_bits must be at most ${offer.clientMaxWindowBits}`);
    }
  }
}

export function formatResponse(res: DeflateResponse): ExtensionElement {
  const params: [string, string | true][] = [];
  if (res.serverNoContextTakeover) params.push([P.SERVER_NO_CONTEXT_TAKEOVER, true]);
  if (res.clientNoContextTakeover) params.push([P.CLIENT_NO_CONTEXT_TAKEOVER, true]);
  if (res.serverMaxWindowBits !== null) params.push([P.SERVER_MAX_WINDOW_BITS, String(res.serverMaxWindowBits)]);
  if (res.clientMaxWindowBits !== null) params.push([P.CLIENT_MAX_WINDOW_BITS, String(res.clientMaxWindowBits)]);
  return extensionElement(P.NAME, params);
}

export function paramsOf(res: DeflateResponse): DeflateParams {
  return {
    serverNoContextTakeover: res.serverNoContextTakeover,
    clientNoContextTakeover: res.clientNoContextTakeover,
    serverMaxWindowBits: res.serverMaxWindowBits ?? P.MAX_WINDOW_BITS,
    clientMaxWindowBits: res.clientMaxWindowBits ?? P.MAX_WINDOW_BITS,
  };
}

/** Server side: the outcome of negotiation, or null to run without permessage-deflate. */
export function negotiateServerDeflate(
  offered: readonly ExtensionElement[],
  opts: ServerDeflateOptions,
): { params: DeflateParams; element: ExtensionElement; offers: readonly DeflateOffer[] } | null {
  const offers: DeflateOffer[] = [];
  let index = 0;
  for (const el of offered) {
    if (el.name !== P.NAME) continue;
    const offer = parseOffer(el, index++);
    if (offer !== null) offers.push(offer);
  }
  if (offers.length === 0) return null;
  const first = offers[0]!;
  const proposal: DeflateAgreement = { offerIndex: first.index, response: defaultResponse(first, opts) };
  let agreement: DeflateAgreement | null = proposal;
  if (opts.accept !== undefined) {
    const chosen = opts.accept(offers, proposal);
    if (chosen !== undefined) agreement = chosen;
  }
  if (agreement === null) return null;
  const { offerIndex, response } = agreement;
  const offer = offers.find((o) => o.index === offerIndex);
  if (offer === undefined) {
    throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `permessage-deflate accept hook chose unknown offer ${offerIndex}`);
  }
  checkResponse(offer, response);
  return { params: paramsOf(response), element: formatResponse(response), offers };
}

// ---- client side ----

/** The client's offer element under its options. */
export function buildClientOffer(opts: ClientDeflateOptions): ExtensionElement {
  const params: [string, string | true][] = [];
  if (opts.serverNoContextTakeover === true) params.push([P.SERVER_NO_CONTEXT_TAKEOVER, true]);
  if (opts.clientNoContextTakeover === true) params.push([P.CLIENT_NO_CONTEXT_TAKEOVER, true]);
  if (opts.serverMaxWindowBits !== undefined) params.push([P.SERVER_MAX_WINDOW_BITS, String(opts.serverMaxWindowBits)]);
  const cmwb = opts.clientMaxWindowBits ?? true;
  if (cmwb === true) params.push([P.CLIENT_MAX_WINDOW_BITS, true]);
  else if (typeof cmwb === 'number') params.push([P.CLIENT_MAX_WINDOW_BITS, String(cmwb)]);
  return extensionElement(P.NAME, params);
}

/**
 * Client side: checks the server's permessage-deflate answer against what we offered
 * (RFC 7692 section 7.1) and returns the parameters this client runs with.
 * Throws WS_HANDSHAKE_FAILED when the answer is illegal or the hook refuses it.
 */
export function acceptServerDeflate(el: ExtensionElement, opts: ClientDeflateOptions): DeflateParams {
  const fail = (why: string): WampkitError =>
    wsError(WebSocketErrorCode.HANDSHAKE_FAILED, `invalid permessage-deflate answer: ${why}`);
  let serverNoContextTakeover = false;
  let clientNoContextTakeover = false;
  let serverMaxWindowBits: number | null = null;
  let clientMaxWindowBits: number | null = null;
  for (const [name, value] of el.params) {
    const text = value === true ? name : `${name}=${value}`;
    switch (name) {
      case P.SERVER_NO_CONTEXT_TAKEOVER:
        if (value !== true) throw fail(`${text} takes no value`);
        serverNoContextTakeover = true;
        break;
      case P.CLIENT_NO_CONTEXT_TAKEOVER:
        if (value !== true) throw fail(`${text} takes no value`);
        clientNoContextTakeover = true;
        break;
      case P.SERVER_MAX_WINDOW_BITS:
        if (value === true || !WINDOW_BITS.test(value)) throw fail(`${text} is not 8..15`);
        serverMaxWindowBits = Number(value);
        break;
      case P.CLIENT_MAX_WINDOW_BITS:
        if (value === true || !WINDOW_BITS.test(value)) throw fail(`${text} is not 8..15`);
        clientMaxWindowBits = Number(value);
        break;
      default:
        throw fail(`unknown parameter ${name}`);
    }
  }
  const offeredCmwb = opts.clientMaxWindowBits ?? true;
  if (clientMaxWindowBits !== null) {
    if (offeredCmwb === false) throw fail('client_max_window_bits was not offered');
    if (typeof offeredCmwb === 'number' && clientMaxWindowBits > offeredCmwb) throw fail(`client_max_window_bits above our ${offeredCmwb}`);
  }
  if (opts.serverMaxWindowBits !== undefined && (serverMaxWindowBits === null || serverMaxWindowBits > opts.serverMaxWindowBits)) {
    throw fail(`server_max_window_bits must be answered with at most ${opts.serverMaxWindowBits}`);
  }
  if (opts.serverNoContextTakeover === true && !serverNoContextTakeover) throw fail('server_no_context_takeover was not granted');

  const response: DeflateResponse = { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits };
  const agreed = paramsOf(response);
  // Our own compressor may be more frugal than the server requires.
  let params: DeflateParams = {
    ...agreed,
    clientNoContextTakeover: agreed.clientNoContextTakeover || opts.clientNoContextTakeover === true,
    clientMaxWindowBits: Math.min(agreed.clientMaxWindowBits, typeof offeredCmwb === 'number' ? offeredCmwb : P.MAX_WINDOW_BITS),
  };
  if (opts.accept !== undefined) {
    const verdict = opts.accept(response, params);
    if (verdict === false) throw fail('refused by the perMessageDeflate.accept hook');
    if (typeof verdict === 'object') params = checkedParams(verdict, agreed);
  }
  return params;
}

/** A hook may only make our side stricter than what was agreed. */
function checkedParams(p: DeflateParams, agreed: DeflateParams): DeflateParams {
  const bad = (why: string): WampkitError => wsError(WebSocketErrorCode.INVALID_ARGUMENT, `perMessageDeflate.accept returned invalid params: ${why}`);
  for (const k of ['serverMaxWindowBits', 'clientMaxWindowBits'] as const) {
    const v = p[k];
    if (!Number.isInteger(v) || v < P.MIN_WINDOW_BITS || v > P.MAX_WINDOW_BITS) throw bad(`${k} ${v}`);
  }
  if (p.clientMaxWindowBits > agreed.clientMaxWindowBits) throw bad('clientMaxWindowBits above the agreed window');
  if (agreed.clientNoContextTakeover && !p.clientNoContextTakeover) throw bad('clientNoContextTakeover was agreed');
  // The server's side is the server's: we must decode whatever it was allowed to send.
  return { ...p, serverNoContextTakeover: agreed.serverNoContextTakeover, serverMaxWindowBits: agreed.serverMaxWindowBits };
}
