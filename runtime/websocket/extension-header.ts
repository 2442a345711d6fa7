/**
 * The Sec-WebSocket-Extensions header grammar (RFC 6455 section 9.1), parsed and formatted.
 *
 *   extension-list  = 1#extension
 *   extension       = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" ( token | quoted-string ) ]
 *
 * A quoted value must unescape to a token. A parameter named twice in one extension is an
 * error here: RFC 7692 section 7 treats such an element as unacceptable on both sides, and a
 * parser that silently kept one of them would hide which one the peer meant.
 */
import type { WampkitError } from '../errors.js';
import { WebSocketErrorCode, wsError } from './errors.js';

/** One element of the list: an extension name and its parameters in header order. */
export interface ExtensionElement {
  readonly name: string;
  /** Parameter name -> value; `true` for a parameter given without a value. */
  readonly params: ReadonlyMap<string, string | true>;
}

/** HTTP status for a malformed extension header in a request. */
const BAD_REQUEST = 400;

/** RFC 7230 tchar: the characters a token may hold. */
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

const State = {
  /** Before an extension name (list start or after ","). */
  NAME: 0,
  /** After a name or a parameter: expecting ";" "," or the end. */
  AFTER_ITEM: 1,
  /** After ";": expecting a parameter name. */
  PARAM_NAME: 2,
  /** After a parameter name: "=" "," ";" or the end. */
  AFTER_PARAM_NAME: 3,
  /** After "=": a token or a quoted string. */
  PARAM_VALUE: 4,
} as const;
type State = (typeof State)[keyof typeof State];

function malformed(header: string, at: number, why: string): WampkitError {
  return wsError(
    WebSocketErrorCode.HANDSHAKE_FAILED,
    `malformed Sec-WebSocket-Extensions at offset ${at} (${why}): ${JSON.stringify(header)}`,
    { httpStatus: BAD_REQUEST },
  );
}

/**
 * Parses one or more header values (repeated headers concatenate as a list). Empty list
 * elements (", ,") are tolerated as RFC 7230 section 7 asks; an empty header yields [].
 * Throws WS_HANDSHAKE_FAILED (httpStatus 400) on any grammar error or duplicate parameter.
 */
export function parseExtensionHeader(value: string | readonly string[] | undefined): ExtensionElement[] {
  if (value === undefined) return [];
  const header = typeof value === 'string' ? value : value.join(', ');
  const out: ExtensionElement[] = [];
  let state: State = State.NAME;
  let name = '';
  let params = new Map<string, string | true>();
  let paramName = '';
  let i = 0;

  const skipSpace = (): void => {
    while (i < header.length && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < header.length && TCHAR.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  const addParam = (key: string, val: string | true): void => {
    if (params.has(key)) throw malformed(header, i, `duplicate parameter ${key} in ${name}`);
    params.set(key, val);
  };
  const finishElement = (): void => {
    out.push({ name, params });
    name = '';
    params = new Map();
  };

  while (true) {
    skipSpace();
    const ch = header[i];
    switch (state) {
      case State.NAME: {
        if (ch === undefined) return out;
        if (ch === ',') {
          i++;
          continue;
        }
        name = readToken();
        if (name === '') throw malformed(header, i, 'expected an extension name');
        state = State.AFTER_ITEM;
        break;
      }
      case State.AFTER_ITEM: {
        if (ch === undefined) {
          finishElement();
          return out;
        }
        if (ch === ';') state = State.PARAM_NAME;
        else if (ch === ',') {
          finishElement();
          state = State.NAME;
        } else throw malformed(header, i, `unexpected ${JSON.stringify(ch)}`);
        i++;
        break;
      }
      case State.PARAM_NAME: {
        paramName = readToken();
        if (paramName === '') throw malformed(header, i, 'expected a parameter name');
        state = State.AFTER_PARAM_NAME;
        break;
      }
      case State.AFTER_PARAM_NAME: {
        if (ch === '=') {
          i++;
          state = State.PARAM_VALUE;
        } else {
          addParam(paramName, true);
          state = State.AFTER_ITEM;
        }
        break;
      }
      case State.PARAM_VALUE: {
        let val: string;
        if (ch === '"') val = readQuoted();
        else {
          val = readToken();
          if (val === '') throw malformed(header, i, `expected a value for ${paramName}`);
        }
        addParam(paramName, val);
        state = State.AFTER_ITEM;
        break;
      }
    }
  }

  function readQuoted(): string {
    const start = i;
    i++; // opening quote
    let val = '';
    while (i < header.length) {
      const c = header[i]!;
      if (c === '"') {
        i++;
        // RFC 6455 section 9.1: the unescaped value must itself be a token.
        if (!isToken(val)) throw malformed(header, start, `quoted value of ${paramName} is not a token`);
        return val;
      }
      if (c === '\\') {
        i++;
        if (i >= header.length) break;
      }
      val += header[i];
      i++;
    }
    throw malformed(header, start, 'unterminated quoted string');
  }
}

/** Formats elements as a header value. Names, parameter names and values must be tokens. */
export function formatExtensionHeader(elements: readonly ExtensionElement[]): string {
  return elements
    .map((el) => {
      if (!isToken(el.name)) {
        throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `extension name ${JSON.stringify(el.name)} is not a token`);
      }
      let text = el.name;
      for (const [key, val] of el.params) {
        if (!isToken(key)) {
          throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `extension parameter ${JSON.stringify(key)} is not a token`);
        }
        if (val !== true && !isToken(val)) {
          throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, `value ${JSON.stringify(val)} of ${key} is not a token`);
        }
        text += val === true ? `; ${key}` : `; ${key}=${val}`;
      }
      return text;
    })
    .join(', ');
}

/** Convenience constructor for formatting. */
export function extensionElement(name: string, params: Iterable<readonly [string, string | true]> = []): ExtensionElement {
  return { name, params: new Map(params) };
}
