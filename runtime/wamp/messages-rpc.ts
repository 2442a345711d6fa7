/**
 * Remote procedure call messages: CALL, CANCEL, RESULT, REGISTER, REGISTERED, UNREGISTER,
 * UNREGISTERED, INVOCATION, INTERRUPT, YIELD.
 */
import { MessageType } from './message-types.js';
import { Schemas } from './message-options.js';
import {
  checkDict,
  checkId,
  checkLength,
  checkUri,
  readPayload,
  writePayload,
  type CheckContext,
  type PayloadFields,
  type WampDict,
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

export function encodeCall(m: CallMessage, ctx: CheckContext): unknown[] {
  const request = checkId(m.request, 'CALL.Request');
  const options = checkDict(m.options, 'CALL.Options', Schemas.CALL_OPTIONS, ctx);
  const procedure = checkUri(m.procedure, 'CALL.Procedure', ctx, 'exact', { type: MessageType.CALL, id: request });
  return writePayload([MessageType.CALL, request, options, procedure], m, options, 'CALL');
}

export function parseCancel(a: readonly unknown[], ctx: CheckContext): CancelMessage {
  checkLength(a, 3, 3, 'CANCEL');
  const request = checkId(a[1], 'CANCEL.Request');
  return { type: MessageType.CANCEL, request, options: checkDict(a[2], 'CANCEL.Options', Schemas.CANCEL_OPTIONS, ctx) };
}

export function encodeCancel(m: CancelMessage, ctx: CheckContext): unknown[] {
  const request = checkId(m.request, 'CANCEL.Request');
  return [MessageType.CANCEL, request, checkDict(m.options, 'CANCEL.Options', Schemas.CANCEL_OPTIONS, ctx)];
}

export function parseResult(a: readonly unknown[], ctx: CheckContext): ResultMessage {
  checkLength(a, 3, 5, 'RESULT');
  const request = checkId(a[1], 'RESULT.Request');
  const details = checkDict<ResultDetailsDict>(a[2], 'RESULT.Details', Schemas.RESULT_DETAILS, ctx);
  const m: ResultMessage = { type: MessageType.RESULT, request, details };
  readPayload(a, 3, details, 'RESULT', m);
  return m;
}

export function encodeResult(m: ResultMessage, ctx: CheckContext): unknown[] {
  const request = checkId(m.request, 'RESULT.Request');
  const details = checkDict(m.details, 'RESULT.Details', Schemas.RESULT_DETAILS, ctx);
  return writePayload([MessageType.RESULT, request, details], m, details, 'RESULT');
}

export function parseRegister(a: readonly unknown[], ctx: CheckContext): RegisterMessage {
  checkLength(a, 4, 4, 'REGISTER');
  const request = checkId(a[1], 'REGISTER.Request');
  const options = checkDict<RegisterOptionsDict>(a[2], 'REGISTER.Options', Schemas.REGISTER_OPTIONS, ctx);
  const procedure = checkUri(a[3], 'REGISTER.Procedure', ctx, options.match ?? 'exact', { type: MessageType.REGISTER, id: request });
  return { type: MessageType.REGISTER, request, options, procedure };
}

export function encodeRegister(m: RegisterMessage, ctx: CheckContext): unknown[] {
  const request = checkId(m.request, 'REGISTER.Request');
  const options = checkDict<RegisterOptionsDict>(m.options, 'REGISTER.Options', Schemas.REGISTER_OPTIONS, ctx);
  const procedure = checkUri(m.procedure, 'REGISTER.Procedure', ctx, options.match ?? 'exact', { type: MessageType.REGISTER, id: request });
  return [MessageType.REGISTER, request, options, procedure];
}

export function parseRegistered(a: readonly unknown[]): RegisteredMessage {
  checkLength(a, 3, 3, 'REGISTERED');
  const request = checkId(a[1], 'REGISTERED.Request');
  return { type: MessageType.REGISTERED, request, registration: checkId(a[2], 'REGISTERED.Registration') };
}

export function encodeRegistered(m: RegisteredMessage): unknown[] {
  return [MessageType.REGISTERED, checkId(m.request, 'REGISTERED.Request'), checkId(m.registration, 'REGISTERED.Registration')];
}

export function parseUnregister(a: readonly unknown[], ctx: CheckContext): UnregisterMessage {
  checkLength(a, 3, 4, 'UNREGISTER');
  const request = checkId(a[1], 'UNREGISTER.Request');
  const m: UnregisterMessage = { type: MessageType.UNREGISTER, request, registration: checkId(a[2], 'UNREGISTER.Registration') };
  if (a.length > 3) m.options = checkDict(a[3], 'UNREGISTER.Options', Schemas.UNREGISTER_OPTIONS, ctx);
  return m;
}

export function encodeUnregister(m: UnregisterMessage, ctx: CheckContext): unknown[] {
  const out: unknown[] = [MessageType.UNREGISTER, checkId(m.request, 'UNREGISTER.Request'), checkId(m.registration, 'UNREGISTER.Registration')];
  if (m.options !== undefined) out.push(checkDict(m.options, 'UNREGISTER.Options', Schemas.UNREGISTER_OPTIONS, ctx));
  return out;
}

export function parseUnregistered(a: readonly unknown[], ctx: CheckContext): UnregisteredMessage {
  checkLength(a, 2, 3, 'UNREGISTERED');
  return { type: MessageType.UNREGISTERED, ...checkRevocation(a[1], a[2], 'UNREGISTERED', ctx) };
}

export function encodeUnregistered(m: UnregisteredMessage, ctx: CheckContext): unknown[] {
  const r = checkRevocation(m.request, m.details, 'UNREGISTERED', ctx);
  return r.details === undefined ? [MessageType.UNREGISTERED, r.request] : [MessageType.UNREGISTERED, r.request, r.details];
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

export function encodeInvocation(m: InvocationMessage, ctx: CheckContext): unknown[] {
  const request = checkId(m.request, 'INVOCATION.Request');
  const registration = checkId(m.registration, 'INVOCATION.Registration');
  const details = checkDict(m.details, 'INVOCATION.Details', Schemas.INVOCATION_DETAILS, ctx);
  return writePayload([MessageType.INVOCATION, request, registration, details], m, details, 'INVOCATION');
}

export function parseInterrupt(a: readonly unknown[], ctx: CheckContext): InterruptMessage {
  checkLength(a, 3, 3, 'INTERRUPT');
  const request = checkId(a[1], 'INTERRUPT.Request');
  return { type: MessageType.INTERRUPT, request, options: checkDict(a[2], 'INTERRUPT.Options', Schemas.INTERRUPT_OPTIONS, ctx) };
}

export function encodeInterrupt(m: InterruptMessage, ctx: CheckContext): unknown[] {
  const request = checkId(m.request, 'INTERRUPT.Request');
  return [MessageType.INTERRUPT, request, checkDict(m.options, 'INTERRUPT.Options', Schemas.INTERRUPT_OPTIONS, ctx)];
}

export function parseYield(a: readonly unknown[], ctx: CheckContext): YieldMessage {
  checkLength(a, 3, 5, 'YIELD');
  const request = checkId(a[1], 'YIELD.Request');
  const options = checkDict<YieldOptionsDict>(a[2], 'YIELD.Options', Schemas.YIELD_OPTIONS, ctx);
  const m: YieldMessage = { type: MessageType.YIELD, request, options };
  readPayload(a, 3, options, 'YIELD', m);
  return m;
}

export function encodeYield(m: YieldMessage, ctx: CheckContext): unknown[] {
  const request = checkId(m.request, 'YIELD.Request');
  const options = checkDict(m.options, 'YIELD.Options', Schemas.YIELD_OPTIONS, ctx);
  return writePayload([MessageType.YIELD, request, options], m, options, 'YIELD');
}
