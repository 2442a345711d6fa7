/**
 * Publish & subscribe messages: PUBLISH, PUBLISHED, SUBSCRIBE, SUBSCRIBED, UNSUBSCRIBE,
 * UNSUBSCRIBED, EVENT, and the provisional EVENT_RECEIVED.
 */
import { MessageType } from './message-types.js';
import { Schemas, requireKey } from './message-options.js';
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
import type { UriMatch } from './uris.js';

export interface ForwardHop extends WampDict {
  session: number;
  authid: string;
  authrole: string;
}

export interface PublishOptionsDict extends WampDict {
  acknowledge?: boolean;
  exclude_me?: boolean;
  exclude?: number[];
  exclude_authid?: string[];
  exclude_authrole?: string[];
  eligible?: number[];
  eligible_authid?: string[];
  eligible_authrole?: string[];
  disclose_me?: boolean;
  retain?: boolean;
  forward_for?: ForwardHop[];
}

export interface SubscribeOptionsDict extends WampDict {
  match?: UriMatch;
  get_retained?: boolean;
}

export interface EventDetailsDict extends WampDict {
  publisher?: number;
  publisher_authid?: string;
  publisher_authrole?: string;
  topic?: string;
  retained?: boolean;
  forward_for?: ForwardHop[];
}

export interface RevocationDetails extends WampDict {
  subscription?: number;
  registration?: number;
  reason?: string;
}

export interface PublishMessage extends PayloadFields {
  type: typeof MessageType.PUBLISH;
  request: number;
  options: PublishOptionsDict;
  topic: string;
}

export interface PublishedMessage {
  type: typeof MessageType.PUBLISHED;
  request: number;
  publication: number;
}

export interface SubscribeMessage {
  type: typeof MessageType.SUBSCRIBE;
  request: number;
  options: SubscribeOptionsDict;
  topic: string;
}

export interface SubscribedMessage {
  type: typeof MessageType.SUBSCRIBED;
  request: number;
  subscription: number;
}

export interface UnsubscribeMessage {
  type: typeof MessageType.UNSUBSCRIBE;
  request: number;
  subscription: number;
  /** Advanced profile (router links): optional trailing Options. */
  options?: WampDict;
}

export interface UnsubscribedMessage {
  type: typeof MessageType.UNSUBSCRIBED;
  /** 0 when the broker revokes a subscription (then `details.subscription` names it). */
  request: number;
  details?: RevocationDetails;
}

export interface EventMessage extends PayloadFields {
  type: typeof MessageType.EVENT;
  subscription: number;
  publication: number;
  details: EventDetailsDict;
}

export interface EventReceivedMessage {
  type: typeof MessageType.EVENT_RECEIVED;
  publication: number;
}

export function parsePublish(a: readonly unknown[], ctx: CheckContext): PublishMessage {
  checkLength(a, 4, 6, 'PUBLISH');
  const request = checkId(a[1], 'PUBLISH.Request');
  const options = checkDict<PublishOptionsDict>(a[2], 'PUBLISH.Options', Schemas.PUBLISH_OPTIONS, ctx);
  const topic = checkUri(a[3], 'PUBLISH.Topic', ctx, 'exact', { type: MessageType.PUBLISH, id: request });
  const m: PublishMessage = { type: MessageType.PUBLISH, request, options, topic };
  readPayload(a, 4, options, 'PUBLISH', m);
  return m;
}

export function encodePublish(m: PublishMessage, ctx: CheckContext): unknown[] {
  const request = checkId(m.request, 'PUBLISH.Request');
  const options = checkDict(m.options, 'PUBLISH.Options', Schemas.PUBLISH_OPTIONS, ctx);
  const topic = checkUri(m.topic, 'PUBLISH.Topic', ctx, 'exact', { type: MessageType.PUBLISH, id: request });
  return writePayload([MessageType.PUBLISH, request, options, topic], m, options, 'PUBLISH');
}

export function parsePublished(a: readonly unknown[]): PublishedMessage {
  checkLength(a, 3, 3, 'PUBLISHED');
  const request = checkId(a[1], 'PUBLISHED.Request');
  return { type: MessageType.PUBLISHED, request, publication: checkId(a[2], 'PUBLISHED.Publication') };
}

export function encodePublished(m: PublishedMessage): unknown[] {
  return [MessageType.PUBLISHED, checkId(m.request, 'PUBLISHED.Request'), checkId(m.publication, 'PUBLISHED.Publication')];
}

export function parseSubscribe(a: readonly unknown[], ctx: CheckContext): SubscribeMessage {
  checkLength(a, 4, 4, 'SUBSCRIBE');
  const request = checkId(a[1], 'SUBSCRIBE.Request');
  const options = checkDict<SubscribeOptionsDict>(a[2], 'SUBSCRIBE.Options', Schemas.SUBSCRIBE_OPTIONS, ctx);
  const topic = checkUri(a[3], 'SUBSCRIBE.Topic', ctx, options.match ?? 'exact', { type: MessageType.SUBSCRIBE, id: request });
  return { type: MessageType.SUBSCRIBE, request, options, topic };
}

export function encodeSubscribe(m: SubscribeMessage, ctx: CheckContext): unknown[] {
  const request = checkId(m.request, 'SUBSCRIBE.Request');
  const options = checkDict<SubscribeOptionsDict>(m.options, 'SUBSCRIBE.Options', Schemas.SUBSCRIBE_OPTIONS, ctx);
  const topic = checkUri(m.topic, 'SUBSCRIBE.Topic', ctx, options.match ?? 'exact', { type: MessageType.SUBSCRIBE, id: request });
  return [MessageType.SUBSCRIBE, request, options, topic];
}

export function parseSubscribed(a: readonly unknown[]): SubscribedMessage {
  checkLength(a, 3, 3, 'SUBSCRIBED');
  const request = checkId(a[1], 'SUBSCRIBED.Request');
  return { type: MessageType.SUBSCRIBED, request, subscription: checkId(a[2], 'SUBSCRIBED.Subscription') };
}

export function encodeSubscribed(m: SubscribedMessage): unknown[] {
  return [MessageType.SUBSCRIBED, checkId(m.request, 'SUBSCRIBED.Request'), checkId(m.subscription, 'SUBSCRIBED.Subscription')];
}

export function parseUnsubscribe(a: readonly unknown[], ctx: CheckContext): UnsubscribeMessage {
  checkLength(a, 3, 4, 'UNSUBSCRIBE');
  const request = checkId(a[1], 'UNSUBSCRIBE.Request');
  const m: UnsubscribeMessage = { type: MessageType.UNSUBSCRIBE, request, subscription: checkId(a[2], 'UNSUBSCRIBE.Subscription') };
  if (a.length > 3) m.options = checkDict(a[3], 'UNSUBSCRIBE.Options', Schemas.UNSUBSCRIBE_OPTIONS, ctx);
  return m;
}

export function encodeUnsubscribe(m: UnsubscribeMessage, ctx: CheckContext): unknown[] {
  const out: unknown[] = [MessageType.UNSUBSCRIBE, checkId(m.request, 'UNSUBSCRIBE.Request'), checkId(m.subscription, 'UNSUBSCRIBE.Subscription')];
  if (m.options !== undefined) out.push(checkDict(m.options, 'UNSUBSCRIBE.Options', Schemas.UNSUBSCRIBE_OPTIONS, ctx));
  return out;
}

/** UNSUBSCRIBED/UNREGISTERED: request 0 is the revocation form, which must name what it revokes. */
export function checkRevocation(
  request: unknown,
  details: unknown,
  name: 'UNSUBSCRIBED' | 'UNREGISTERED',
  ctx: CheckContext,
): { request: number; details?: RevocationDetails } {
  const schema = name === 'UNSUBSCRIBED' ? Schemas.UNSUBSCRIBED_DETAILS : Schemas.UNREGISTERED_DETAILS;
  if (details === undefined) return { request: checkId(request, `${name}.Request`) };
  const d = checkDict<RevocationDetails>(details, `${name}.Details`, schema, ctx);
  if (request === 0) {
    requireKey(d, name === 'UNSUBSCRIBED' ? 'subscription' : 'registration', `${name}.Details`);
    return { request: 0, details: d };
  }
  return { request: checkId(request, `${name}.Request`), details: d };
}

export function parseUnsubscribed(a: readonly unknown[], ctx: CheckContext): UnsubscribedMessage {
  checkLength(a, 2, 3, 'UNSUBSCRIBED');
  return { type: MessageType.UNSUBSCRIBED, ...checkRevocation(a[1], a[2], 'UNSUBSCRIBED', ctx) };
}

export function encodeUnsubscribed(m: UnsubscribedMessage, ctx: CheckContext): unknown[] {
  const r = checkRevocation(m.request, m.details, 'UNSUBSCRIBED', ctx);
  return r.details === undefined ? [MessageType.UNSUBSCRIBED, r.request] : [MessageType.UNSUBSCRIBED, r.request, r.details];
}

export function parseEvent(a: readonly unknown[], ctx: CheckContext): EventMessage {
  checkLength(a, 4, 6, 'EVENT');
  const subscription = checkId(a[1], 'EVENT.Subscription');
  const publication = checkId(a[2], 'EVENT.Publication');
  const details = checkDict<EventDetailsDict>(a[3], 'EVENT.Details', Schemas.EVENT_DETAILS, ctx);
  const m: EventMessage = { type: MessageType.EVENT, subscription, publication, details };
  readPayload(a, 4, details, 'EVENT', m);
  return m;
}

export function encodeEvent(m: EventMessage, ctx: CheckContext): unknown[] {
  const subscription = checkId(m.subscription, 'EVENT.Subscription');
  const publication = checkId(m.publication, 'EVENT.Publication');
  const details = checkDict(m.details, 'EVENT.Details', Schemas.EVENT_DETAILS, ctx);
  return writePayload([MessageType.EVENT, subscription, publication, details], m, details, 'EVENT');
}

export function parseEventReceived(a: readonly unknown[]): EventReceivedMessage {
  checkLength(a, 2, 2, 'EVENT_RECEIVED');
  return { type: MessageType.EVENT_RECEIVED, publication: checkId(a[1], 'EVENT_RECEIVED.Publication') };
}

export function encodeEventReceived(m: EventReceivedMessage): unknown[] {
  return [MessageType.EVENT_RECEIVED, checkId(m.publication, 'EVENT_RECEIVED.Publication')];
}
