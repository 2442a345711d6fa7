/**
 * Remote procedure call messages: CALL, CANCEL, RESULT, REGISTER, REGISTERED, UNREGISTER,
 * UNREGISTERED, INVOCATION, INTERRUPT, YIELD.
 */
import { MessageType } from './message-types.js';
import { Schemas, checkDict } from './message-options.js';
import {
  checkId,
  checkLength,
  checkUri,
  readPayload,
  appendPayload,
  type CheckContext,
  type PayloadFields,
  type WampDict,
  type WampList,
} from './message-fields.js';
import { checkRevocation, type ForwardHop, type RevocationDetails } from './messages-pubsub.js';
import type { UriMatch } from './uris.js';

export type CancelModeWire = 'skip' | 'kill' | 'killnowait';
export type InvokePolicyWire = 'single' | 'roundrobin' | 'random' | 'first' | 'last';

export interface CallOptionsDict extends WampDict {
  timeout?: number;
  receive_progress?: boolean;
  progress?: boolean;
  disclose_me?: boolean;
  forward_for?: ForwardHop[];
}

export interface CancelOptionsDict extends WampDict {
  mode?: CancelModeWire;
}

export interface ResultDetailsDict extends WampDict {
  progress?: boolean;
  callee?: number;
  callee_authid?: string;
  callee_authrole?: string;
}

export interface RegisterOptionsDict extends WampDict {
  match?: UriMatch;
  invoke?: InvokePolicyWire;
  disclose_caller?: boolean;
  concurrency?: number;
  force_reregister?: boolean;
}

export interface InvocationDetailsDict extends WampDict {
  caller?: number;
  caller_authid?: string;
  caller_authrole?: string;
  procedure?: string;
  receive_progress?: boolean;
  progress?: boolean;
  timeout?: number;
}

export interface InterruptOptionsDict extends WampDict {
  mode?: Exclude<CancelModeWire, 'skip'>;
  reason?: string;
}

export interface YieldOptionsDict extends WampDict {
  progress?: boolean;
}

export interface CallMessage extends PayloadFields {
  type: typeof MessageType.CALL;
  request: number;
  options: CallOptionsDict;
  procedure: string;
}

export interface CancelMessage {
  type: typeof MessageType.CANCEL;
  request: number;
  options: CancelOptionsDict;
}

export interface ResultMessage extends PayloadFields {
  type: typeof MessageType.RESULT;
  request: number;
  details: ResultDetailsDict;
}

export interface RegisterMessage {
  type: typeof MessageType.REGISTER;
  request: number;
  options: RegisterOptionsDict;
  procedure: string;
}

export interface RegisteredMessage {
  type: typeof MessageType.REGISTERED;
  request: number;
  registration: number;
}

export interface UnregisterMessage {
  type: typeof MessageType.UNREGISTER;
  request: number;
  registration: number;
  /** Router links: optional trailing Options. */
  options?: WampDict;
}

export interface UnregisteredMessage {
  type: typeof MessageType.UNREGISTERED;
  /** 0 when the dealer revokes a registration (then `details.registration` names it). */
  request: number;
  details?: RevocationDetails;
}

export interface InvocationMessage extends PayloadFields {
  type: typeof MessageType.INVOCATION;
  request: number;
  registration: number;
  details: InvocationDetailsDict;
}

export interface InterruptMessage {
  type: typeof MessageType.INTERRUPT;
  request: number;
  options: InterruptOptionsDict;
}

export interface YieldMessage extends PayloadFields {
  type: typeof MessageType.YIELD;
  request: number;
  options: YieldOptionsDict;
}

export function parseCall(a: readonly unknown[], ctx: CheckContext): CallMessage {
  checkLength(a, 4, 6, 'CALL');
  const request = checkId(a[1], 'CALL.Request');
  const options = checkDict<CallOptionsDict>(a[2], 'CALL.Options', Schemas.CALL_OPTIONS, ctx);
  const procedure = checkUri(a[3], 'CALL.Procedure', ctx, 'exact', { type: MessageType.CALL, id: request });
  const m: CallMessage = { type: MessageType.CALL, request, options, procedure };
  readPayload(a, 4, options, 'CALL', m);
  return m;
}

export function parseCancel(a: readonly unknown[], ctx: CheckContext): CancelMessage {
  checkLength(a, 3, 3, 'CANCEL');
  const request = checkId(a[1], 'CANCEL.Request');
  return { type: MessageType.CANCEL, request, options: checkDict(a[2], 'CANCEL.Options', Schemas.CANCEL_OPTIONS, ctx) };
}

export function parseResult(a: readonly unknown[], ctx: CheckContext): ResultMessage {
  checkLength(a, 3, 5, 'RESULT');
  const request = checkId(a[1], 'RESULT.Request');
  const details = checkDict<ResultDetailsDict>(a[2], 'RESULT.Details', Schemas.RESULT_DETAILS, ctx);
  const m: ResultMessage = { type: MessageType.RESULT, request, details };
  readPayload(a, 3, details, 'RESULT', m);
  return m;
}

export function parseRegister(a: readonly unknown[], ctx: CheckContext): RegisterMessage {
  checkLength(a, 4, 4, 'REGISTER');
  const request = checkId(a[1], 'REGISTER.Request');
  const options = checkDict<RegisterOptionsDict>(a[2], 'REGISTER.Options', Schemas.REGISTER_OPTIONS, ctx);
  const procedure = checkUri(a[3], 'REGISTER.Procedure', ctx, options.match ?? 'exact', { type: MessageType.REGISTER, id: request });
  return { type: MessageType.REGISTER, request, options, procedure };
}

export function parseRegistered(a: readonly unknown[]): RegisteredMessage {
  checkLength(a, 3, 3, 'REGISTERED');
  const request = checkId(a[1], 'REGISTERED.Request');
  return { type: MessageType.REGISTERED, request, registration: checkId(a[2], 'REGISTERED.Registration') };
}

export function parseUnregister(a: readonly unknown[], ctx: CheckContext): UnregisterMessage {
  checkLength(a, 3, 4, 'UNREGISTER');
  const request = checkId(a[1], 'UNREGISTER.Request');
  const m: UnregisterMessage = { type: MessageType.UNREGISTER, request, registration: checkId(a[2], 'UNREGISTER.Registration') };
  if (a.length > 3) m.options = checkDict(a[3], 'UNREGISTER.Options', Schemas.UNREGISTER_OPTIONS, ctx);
  return m;
}

export function parseUnregistered(a: readonly unknown[], ctx: CheckContext): UnregisteredMessage {
  checkLength(a, 2, 3, 'UNREGISTERED');
  return { type: MessageType.UNREGISTERED, ...checkRevocation(a[1], a[2], 'UNREGISTERED', ctx) };
}

export function parseInvocation(a: readonly unknown[], ctx: CheckContext): InvocationMessage {
  checkLength(a, 4, 6, 'INVOCATION');
  const request = checkId(a[1], 'INVOCATION.Request');
  const registration = checkId(a[2], 'INVOCATION.Registration');
  const details = checkDict<InvocationDetailsDict>(a[3], 'INVOCATION.Details', Schemas.INVOCATION_DETAILS, ctx);
  const m: InvocationMessage = { type: MessageType.INVOCATION, request, registration, details };
  readPayload(a, 4, details, 'INVOCATION', m);
  return m;
}

export function parseInterrupt(a: readonly unknown[], ctx: CheckContext): InterruptMessage {
  checkLength(a, 3, 3, 'INTERRUPT');
  const request = checkId(a[1], 'INTERRUPT.Request');
  return { type: MessageType.INTERRUPT, request, options: checkDict(a[2], 'INTERRUPT.Options', Schemas.INTERRUPT_OPTIONS, ctx) };
}

export function parseYield(a: readonly unknown[], ctx: CheckContext): YieldMessage {
  checkLength(a, 3, 5, 'YIELD');
  const request = checkId(a[1], 'YIELD.Request');
  const options = checkDict<YieldOptionsDict>(a[2], 'YIELD.Options', Schemas.YIELD_OPTIONS, ctx);
  const m: YieldMessage = { type: MessageType.YIELD, request, options };
  readPayload(a, 3, options, 'YIELD', m);
  return m;
}

// ---- wire layout (unchecked: the send path; messages.ts's encodeMessage adds the checks) ----

export const wireCall = (m: CallMessage): unknown[] => appendPayload([MessageType.CALL, m.request, m.options, m.procedure], m);
export const wireCancel = (m: CancelMessage): unknown[] => [MessageType.CANCEL, m.request, m.options];
export const wireResult = (m: ResultMessage): unknown[] => appendPayload([MessageType.RESULT, m.request, m.details], m);
export const wireRegister = (m: RegisterMessage): unknown[] => [MessageType.REGISTER, m.request, m.options, m.procedure];
export const wireRegistered = (m: RegisteredMessage): unknown[] => [MessageType.REGISTERED, m.request, m.registration];
export const wireUnregister = (m: UnregisterMessage): unknown[] =>
  m.options === undefined ? [MessageType.UNREGISTER, m.request, m.registration] : [MessageType.UNREGISTER, m.request, m.registration, m.options];
export const wireUnregistered = (m: UnregisteredMessage): unknown[] =>
  m.details === undefined ? [MessageType.UNREGISTERED, m.request] : [MessageType.UNREGISTERED, m.request, m.details];
export const wireInvocation = (m: InvocationMessage): unknown[] =>
  appendPayload([MessageType.INVOCATION, m.request, m.registration, m.details], m);
export const wireInterrupt = (m: InterruptMessage): unknown[] => [MessageType.INTERRUPT, m.request, m.options];
export const wireYield = (m: YieldMessage): unknown[] => appendPayload([MessageType.YIELD, m.request, m.options], m);

// ---- constructors: every outbound message is made by one of these (fields in wire order) ----

export function callMessage(request: number, options: CallOptionsDict, procedure: string, args?: WampList, kwargs?: WampDict): CallMessage {
  return { type: MessageType.CALL, request, options, procedure, args, kwargs };
}

export function cancelMessage(request: number, options: CancelOptionsDict): CancelMessage {
  return { type: MessageType.CANCEL, request, options };
}

export function resultMessage(request: number, details: ResultDetailsDict, args?: WampList, kwargs?: WampDict): ResultMessage {
  return { type: MessageType.RESULT, request, details, args, kwargs };
}

export function registerMessage(request: number, options: RegisterOptionsDict, procedure: string): RegisterMessage {
  return { type: MessageType.REGISTER, request, options, procedure };
}

export function registeredMessage(request: number, registration: number): RegisteredMessage {
  return { type: MessageType.REGISTERED, request, registration };
}

export function unregisterMessage(request: number, registration: number): UnregisterMessage {
  return { type: MessageType.UNREGISTER, request, registration };
}

/** UNREGISTERED answering `request`, or with request 0 and `details` the dealer's revocation. */
export function unregisteredMessage(request: number, details?: RevocationDetails): UnregisteredMessage {
  return details === undefined ? { type: MessageType.UNREGISTERED, request } : { type: MessageType.UNREGISTERED, request, details };
}

export function invocationMessage(
  request: number, registration: number, details: InvocationDetailsDict, args?: WampList, kwargs?: WampDict,
): InvocationMessage {
  return { type: MessageType.INVOCATION, request, registration, details, args, kwargs };
}

export function interruptMessage(request: number, options: InterruptOptionsDict): InterruptMessage {
  return { type: MessageType.INTERRUPT, request, options };
}

export function yieldMessage(request: number, options: YieldOptionsDict, args?: WampList, kwargs?: WampDict): YieldMessage {
  return { type: MessageType.YIELD, request, options, args, kwargs };
}
