/**
 * Session lifecycle messages (HELLO, WELCOME, ABORT, CHALLENGE, AUTHENTICATE, GOODBYE) and ERROR.
 */
import { MessageType, isErrorRequestType, type ErrorRequestType } from './message-types.js';
import { Schemas, requireKey } from './message-options.js';
import {
  checkDict,
  checkId,
  checkInteger,
  checkLength,
  checkString,
  checkUri,
  readPayload,
  writePayload,
  type CheckContext,
  type PayloadFields,
  type WampDict,
} from './message-fields.js';
import { ProtocolErrorCode, protocolError } from './protocol-error.js';

export interface HelloDetails extends WampDict {
  roles: { [role: string]: WampDict };
  authmethods?: string[];
  authid?: string;
  authrole?: string;
  authextra?: WampDict;
  agent?: string;
}

export interface WelcomeDetails extends WampDict {
  roles: { [role: string]: WampDict };
  authid?: string;
  authrole?: string;
  authmethod?: string;
  authprovider?: string;
  authextra?: WampDict;
  agent?: string;
}

export interface CloseDetails extends WampDict {
  message?: string;
}

export interface ErrorDetails extends WampDict {
  callee?: number;
  callee_authid?: string;
  callee_authrole?: string;
}

export interface HelloMessage {
  type: typeof MessageType.HELLO;
  realm: string;
  details: HelloDetails;
}

export interface WelcomeMessage {
  type: typeof MessageType.WELCOME;
  session: number;
  details: WelcomeDetails;
}

export interface AbortMessage extends PayloadFields {
  type: typeof MessageType.ABORT;
  details: CloseDetails;
  reason: string;
}

export interface ChallengeMessage {
  type: typeof MessageType.CHALLENGE;
  authMethod: string;
  extra: WampDict;
}

export interface AuthenticateMessage {
  type: typeof MessageType.AUTHENTICATE;
  signature: string;
  extra: WampDict;
}

export interface GoodbyeMessage {
  type: typeof MessageType.GOODBYE;
  details: CloseDetails;
  reason: string;
}

export interface ErrorMessage extends PayloadFields {
  type: typeof MessageType.ERROR;
  /** The type of the request this error answers. */
  requestType: ErrorRequestType;
  request: number;
  details: ErrorDetails;
  error: string;
}

function checkRequestType(value: unknown): ErrorRequestType {
  const t = checkInteger(value, 'ERROR.REQUEST.Type');
  if (!isErrorRequestType(t)) {
    throw protocolError(ProtocolErrorCode.INVALID_MESSAGE, `ERROR.REQUEST.Type ${t} is not a request message type`);
  }
  return t;
}

export function parseHello(a: readonly unknown[], ctx: CheckContext): HelloMessage {
  checkLength(a, 3, 3, 'HELLO');
  const realm = checkUri(a[1], 'HELLO.Realm', ctx, 'exact', undefined, true);
  const details = checkDict<HelloDetails>(a[2], 'HELLO.Details', Schemas.HELLO_DETAILS, ctx);
  requireKey(details, 'roles', 'HELLO.Details');
  return { type: MessageType.HELLO, realm, details };
}

export function encodeHello(m: HelloMessage, ctx: CheckContext): unknown[] {
  const realm = checkUri(m.realm, 'HELLO.Realm', ctx, 'exact', undefined, true);
  const details = checkDict(m.details, 'HELLO.Details', Schemas.HELLO_DETAILS, ctx);
  requireKey(details, 'roles', 'HELLO.Details');
  return [MessageType.HELLO, realm, details];
}

export function parseWelcome(a: readonly unknown[], ctx: CheckContext): WelcomeMessage {
  checkLength(a, 3, 3, 'WELCOME');
  const session = checkId(a[1], 'WELCOME.Session');
  const details = checkDict<WelcomeDetails>(a[2], 'WELCOME.Details', Schemas.WELCOME_DETAILS, ctx);
  requireKey(details, 'roles', 'WELCOME.Details');
  return { type: MessageType.WELCOME, session, details };
}

export function encodeWelcome(m: WelcomeMessage, ctx: CheckContext): unknown[] {
  const session = checkId(m.session, 'WELCOME.Session');
  const details = checkDict(m.details, 'WELCOME.Details', Schemas.WELCOME_DETAILS, ctx);
  requireKey(details, 'roles', 'WELCOME.Details');
  return [MessageType.WELCOME, session, details];
}

export function parseAbort(a: readonly unknown[], ctx: CheckContext): AbortMessage {
  checkLength(a, 3, 5, 'ABORT');
  const details = checkDict<CloseDetails>(a[1], 'ABORT.Details', Schemas.CLOSE_DETAILS, ctx);
  const m: AbortMessage = { type: MessageType.ABORT, details, reason: checkUri(a[2], 'ABORT.Reason', ctx) };
  readPayload(a, 3, details, 'ABORT', m);
  return m;
}

export function encodeAbort(m: AbortMessage, ctx: CheckContext): unknown[] {
  const details = checkDict(m.details, 'ABORT.Details', Schemas.CLOSE_DETAILS, ctx);
  return writePayload([MessageType.ABORT, details, checkUri(m.reason, 'ABORT.Reason', ctx)], m, details, 'ABORT');
}

export function parseChallenge(a: readonly unknown[], ctx: CheckContext): ChallengeMessage {
  checkLength(a, 3, 3, 'CHALLENGE');
  const authMethod = checkString(a[1], 'CHALLENGE.AuthMethod');
  return { type: MessageType.CHALLENGE, authMethod, extra: checkDict(a[2], 'CHALLENGE.Extra', null, ctx) };
}

export function encodeChallenge(m: ChallengeMessage, ctx: CheckContext): unknown[] {
  const authMethod = checkString(m.authMethod, 'CHALLENGE.AuthMethod');
  return [MessageType.CHALLENGE, authMethod, checkDict(m.extra, 'CHALLENGE.Extra', null, ctx)];
}

export function parseAuthenticate(a: readonly unknown[], ctx: CheckContext): AuthenticateMessage {
  checkLength(a, 3, 3, 'AUTHENTICATE');
  const signature = checkString(a[1], 'AUTHENTICATE.Signature');
  return { type: MessageType.AUTHENTICATE, signature, extra: checkDict(a[2], 'AUTHENTICATE.Extra', null, ctx) };
}

export function encodeAuthenticate(m: AuthenticateMessage, ctx: CheckContext): unknown[] {
  const signature = checkString(m.signature, 'AUTHENTICATE.Signature');
  return [MessageType.AUTHENTICATE, signature, checkDict(m.extra, 'AUTHENTICATE.Extra', null, ctx)];
}

export function parseGoodbye(a: readonly unknown[], ctx: CheckContext): GoodbyeMessage {
  checkLength(a, 3, 3, 'GOODBYE');
  const details = checkDict<CloseDetails>(a[1], 'GOODBYE.Details', Schemas.CLOSE_DETAILS, ctx);
  return { type: MessageType.GOODBYE, details, reason: checkUri(a[2], 'GOODBYE.Reason', ctx) };
}

export function encodeGoodbye(m: GoodbyeMessage, ctx: CheckContext): unknown[] {
  const details = checkDict(m.details, 'GOODBYE.Details', Schemas.CLOSE_DETAILS, ctx);
  return [MessageType.GOODBYE, details, checkUri(m.reason, 'GOODBYE.Reason', ctx)];
}

export function parseError(a: readonly unknown[], ctx: CheckContext): ErrorMessage {
  checkLength(a, 5, 7, 'ERROR');
  const requestType = checkRequestType(a[1]);
  const request = checkId(a[2], 'ERROR.REQUEST.Request');
  const details = checkDict<ErrorDetails>(a[3], 'ERROR.Details', Schemas.ERROR_DETAILS, ctx);
  const m: ErrorMessage = { type: MessageType.ERROR, requestType, request, details, error: checkUri(a[4], 'ERROR.Error', ctx) };
  readPayload(a, 5, details, 'ERROR', m);
  return m;
}

export function encodeError(m: ErrorMessage, ctx: CheckContext): unknown[] {
  const requestType = checkRequestType(m.requestType);
  const request = checkId(m.request, 'ERROR.REQUEST.Request');
  const details = checkDict(m.details, 'ERROR.Details', Schemas.ERROR_DETAILS, ctx);
  const out = [MessageType.ERROR, requestType, request, details, checkUri(m.error, 'ERROR.Error', ctx)];
  return writePayload(out, m, details, 'ERROR');
}
