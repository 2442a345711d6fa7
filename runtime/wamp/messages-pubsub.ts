/**
 * Publish & subscribe messages: PUBLISH, PUBLISHED, SUBSCRIBE, SUBSCRIBED, UNSUBSCRIBE,
 * UNSUBSCRIBED, EVENT, and the provisional EVENT_RECEIVED.
 */
import { MessageType } from './message-types.js';
import { Schemas, checkDict, requireKey } from './message-options.js';
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

export function parsePublished(a: readonly unknown[]): PublishedMessage {
  checkLength(a, 3, 3, 'PUBLISHED');
  const request = checkId(a[1], 'PUBLISHED.Request');
  return { type: MessageType.PUBLISHED, request, publication: checkId(a[2], 'PUBLISHED.Publication') };
}

export function parseSubscribe(a: readonly unknown[], ctx: CheckContext): SubscribeMessage {
  checkLength(a, 4, 4, 'SUBSCRIBE');
  const request = checkId(a[1], 'SUBSCRIBE.Request');
  const options = checkDict<SubscribeOptionsDict>(a[2], 'SUBSCRIBE.Options', Schemas.SUBSCRIBE_OPTIONS, ctx);
  const topic = checkUri(a[3], 'SUBSCRIBE.Topic', ctx, options.match ?? 'exact', { type: MessageType.SUBSCRIBE, id: request });
  return { type: MessageType.SUBSCRIBE, request, options, topic };
}

export function parseSubscribed(a: readonly unknown[]): SubscribedMessage {
  checkLength(a, 3, 3, 'SUBSCRIBED');
  const request = checkId(a[1], 'SUBSCRIBED.Request');
  return { type: MessageType.SUBSCRIBED, request, subscription: checkId(a[2], 'SUBSCRIBED.Subscription') };
}

export function parseUnsubscribe(a: readonly unknown[], ctx: CheckContext): UnsubscribeMessage {
  checkLength(a, 3, 4, 'UNSUBSCRIBE');
  const request = checkId(a[1], 'UNSUBSCRIBE.Request');
  const m: UnsubscribeMessage = { type: MessageType.UNSUBSCRIBE, request, subscription: checkId(a[2], 'UNSUBSCRIBE.Subscription') };
  if (a.length > 3) m.options = checkDict(a[3], 'UNSUBSCRIBE.Options', Schemas.UNSUBSCRIBE_OPTIONS, ctx);
  return m;
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

export function parseEvent(a: readonly unknown[], ctx: CheckContext): EventMessage {
  checkLength(a, 4, 6, 'EVENT');
  const subscription = checkId(a[1], 'EVENT.Subscription');
  const publication = checkId(a[2], 'EVENT.Publication');
  const details = checkDict<EventDetailsDict>(a[3], 'EVENT.Details', Schemas.EVENT_DETAILS, ctx);
  const m: EventMessage = { type: MessageType.EVENT, subscription, publication, details };
  readPayload(a, 4, details, 'EVENT', m);
  return m;
}

export function parseEventReceived(a: readonly unknown[]): EventReceivedMessage {
  checkLength(a, 2, 2, 'EVENT_RECEIVED');
  return { type: MessageType.EVENT_RECEIVED, publication: checkId(a[1], 'EVENT_RECEIVED.Publication') };
}

// ---- wire layout (unchecked: the send path; messages.ts's encodeMessage adds the checks) ----

export const wirePublish = (m: PublishMessage): unknown[] => appendPayload([MessageType.PUBLISH, m.request, m.options, m.topic], m);
export const wirePublished = (m: PublishedMessage): unknown[] => [MessageType.PUBLISHED, m.request, m.publication];
export const wireSubscribe = (m: SubscribeMessage): unknown[] => [MessageType.SUBSCRIBE, m.request, m.options, m.topic];
export const wireSubscribed = (m: SubscribedMessage): unknown[] => [MessageType.SUBSCRIBED, m.request, m.subscription];
export const wireUnsubscribe = (m: UnsubscribeMessage): unknown[] =>
  m.options === undefined ? [MessageType.UNSUBSCRIBE, m.request, m.subscription] : [MessageType.UNSUBSCRIBE, m.request, m.subscription, m.options];
export const wireUnsubscribed = (m: UnsubscribedMessage): unknown[] =>
  m.details === undefined ? [MessageType.UNSUBSCRIBED, m.request] : [MessageType.UNSUBSCRIBED, m.request, m.details];
export const wireEvent = (m: EventMessage): unknown[] => appendPayload([MessageType.EVENT, m.subscription, m.publication, m.details], m);
export const wireEventReceived = (m: EventReceivedMessage): unknown[] => [MessageType.EVENT_RECEIVED, m.publication];

// ---- constructors: every outbound message is made by one of these (fields in wire order) ----

export function publishMessage(request: number, options: PublishOptionsDict, topic: string, args?: WampList, kwargs?: WampDict): PublishMessage {
  return { type: MessageType.PUBLISH, request, options, topic, args, kwargs };
}

export function publishedMessage(request: number, publication: number): PublishedMessage {
  return { type: MessageType.PUBLISHED, request, publication };
}

export function subscribeMessage(request: number, options: SubscribeOptionsDict, topic: string): SubscribeMessage {
  return { type: MessageType.SUBSCRIBE, request, options, topic };
}

export function subscribedMessage(request: number, subscription: number): SubscribedMessage {
  return { type: MessageType.SUBSCRIBED, request, subscription };
}

export function unsubscribeMessage(request: number, subscription: number): UnsubscribeMessage {
  return { type: MessageType.UNSUBSCRIBE, request, subscription };
}

/** UNSUBSCRIBED answering `request`, or with request 0 and `details` the broker's revocation. */
export function unsubscribedMessage(request: number, details?: RevocationDetails): UnsubscribedMessage {
  return details === undefined ? { type: MessageType.UNSUBSCRIBED, request } : { type: MessageType.UNSUBSCRIBED, request, details };
}

export function eventMessage(subscription: number, publication: number, details: EventDetailsDict, args?: WampList, kwargs?: WampDict): EventMessage {
  return { type: MessageType.EVENT, subscription, publication, details, args, kwargs };
}
