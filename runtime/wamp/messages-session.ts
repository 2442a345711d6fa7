/**
 * Session lifecycle messages (HELLO, WELCOME, ABORT, CHALLENGE, AUTHENTICATE, GOODBYE) and ERROR.
 */
import { MessageType, isErrorRequestType, type ErrorRequestType } from './message-types.js';
import { Schemas, checkDict, requireKey } from './message-options.js';
import {
  checkId,
  checkInteger,
  checkLength,
  checkString,
  checkUri,
  readPayload,
  appendPayload,
  type CheckContext,
  type PayloadFields,
  type WampDict,
  type WampList,
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

export function parseWelcome(a: readonly unknown[], ctx: CheckContext): WelcomeMessage {
  checkLength(a, 3, 3, 'WELCOME');
  const session = checkId(a[1], 'WELCOME.Session');
  const details = checkDict<WelcomeDetails>(a[2], 'WELCOME.Details', Schemas.WELCOME_DETAILS, ctx);
  requireKey(details, 'roles', 'WELCOME.Details');
  return { type: MessageType.WELCOME, session, details };
}

export function parseAbort(a: readonly unknown[], ctx: CheckContext): AbortMessage {
  checkLength(a, 3, 5, 'ABORT');
  const details = checkDict<CloseDetails>(a[1], 'ABORT.Details', Schemas.CLOSE_DETAILS, ctx);
  const m: AbortMessage = { type: MessageType.ABORT, details, reason: checkUri(a[2], 'ABORT.Reason', ctx) };
  readPayload(a, 3, details, 'ABORT', m);
  return m;
}

export function parseChallenge(a: readonly unknown[], ctx: CheckContext): ChallengeMessage {
  checkLength(a, 3, 3, 'CHALLENGE');
  const authMethod = checkString(a[1], 'CHALLENGE.AuthMethod');
  return { type: MessageType.CHALLENGE, authMethod, extra: checkDict(a[2], 'CHALLENGE.Extra', null, ctx) };
}

export function parseAuthenticate(a: readonly unknown[], ctx: CheckContext): AuthenticateMessage {
  checkLength(a, 3, 3, 'AUTHENTICATE');
  const signature = checkString(a[1], 'AUTHENTICATE.Signature');
  return { type: MessageType.AUTHENTICATE, signature, extra: checkDict(a[2], 'AUTHENTICATE.Extra', null, ctx) };
}

export function parseGoodbye(a: readonly unknown[], ctx: CheckContext): GoodbyeMessage {
  checkLength(a, 3, 3, 'GOODBYE');
  const details = checkDict<CloseDetails>(a[1], 'GOODBYE.Details', Schemas.CLOSE_DETAILS, ctx);
  return { type: MessageType.GOODBYE, details, reason: checkUri(a[2], 'GOODBYE.Reason', ctx) };
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

// ---- wire layout (unchecked: the send path; messages.ts's encodeMessage adds the checks) ----

export const wireHello = (m: HelloMessage): unknown[] => [MessageType.HELLO, m.realm, m.details];
export const wireWelcome = (m: WelcomeMessage): unknown[] => [MessageType.WELCOME, m.session, m.details];
export const wireAbort = (m: AbortMessage): unknown[] => appendPayload([MessageType.ABORT, m.details, m.reason], m);
export const wireChallenge = (m: ChallengeMessage): unknown[] => [MessageType.CHALLENGE, m.authMethod, m.extra];
export const wireAuthenticate = (m: AuthenticateMessage): unknown[] => [MessageType.AUTHENTICATE, m.signature, m.extra];
export const wireGoodbye = (m: GoodbyeMessage): unknown[] => [MessageType.GOODBYE, m.details, m.reason];
export const wireError = (m: ErrorMessage): unknown[] =>
  appendPayload([MessageType.ERROR, m.requestType, m.request, m.details, m.error], m);

// ---- constructors: every outbound message is made by one of these (fields in wire order) ----

export function helloMessage(realm: string, details: HelloDetails): HelloMessage {
  return { type: MessageType.HELLO, realm, details };
}

export function welcomeMessage(session: number, details: WelcomeDetails): WelcomeMessage {
  return { type: MessageType.WELCOME, session, details };
}

export function abortMessage(details: CloseDetails, reason: string): AbortMessage {
  return { type: MessageType.ABORT, details, reason };
}

export function challengeMessage(authMethod: string, extra: WampDict): ChallengeMessage {
  return { type: MessageType.CHALLENGE, authMethod, extra };
}

export function authenticateMessage(signature: string, extra: WampDict): AuthenticateMessage {
  return { type: MessageType.AUTHENTICATE, signature, extra };
}

export function goodbyeMessage(details: CloseDetails, reason: string): GoodbyeMessage {
  return { type: MessageType.GOODBYE, details, reason };
}

export function errorMessage(
  requestType: ErrorRequestType, request: number, details: ErrorDetails, error: string, args?: WampList, kwargs?: WampDict,
): ErrorMessage {
  return { type: MessageType.ERROR, requestType, request, details, error, args, kwargs };
}
