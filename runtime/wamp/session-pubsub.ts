/**
 * The publisher and subscriber roles of a client session: PUBLISH (acknowledged or not),
 * SUBSCRIBE/UNSUBSCRIBE and EVENT dispatch. Several local handlers on one topic share the
 * router's subscription; the router hears UNSUBSCRIBE only when the last one goes.
 *
 * Subscriptions are remembered (topic, options, handlers) so a reconnecting session can
 * restore them (`restore()`): the same Subscription objects stay valid with new IDs.
 */
import { MessageType } from './message-types.js';
import {
  publishMessage, subscribeMessage, unsubscribeMessage, type EventMessage, type PublishedMessage, type PublishOptionsDict,
  type SubscribeOptionsDict, type SubscribedMessage, type UnsubscribedMessage,
} from './messages-pubsub.js';
import type { ErrorMessage } from './messages-session.js';
import { ApplicationError } from './application-error.js';
import type { Args, EventDetails, EventHandler, Kwargs, Publication, PublishOptions, Subscription, SubscribeOptions } from './types.js';
import { checkArgs, checkUriArgument, featureNotSupported, invalidArgument, notJoined } from './session-checks.js';
import type { SessionOutbound } from './session-outbound.js';
import { addPassthruKeys, checkPassthru, packPassthru, passthruOf, unpackPassthru } from './session-passthru.js';
import { addEncodedKeys, decodeEncoded, encodedOf, TRANSPARENCY_FEATURES } from './session-codec.js';
import { withPayload } from './message-fields.js';

interface Pending<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

class ClientSubscription implements Subscription {
  id = 0;
  active = true;
  readonly topic: string;
  readonly handler: EventHandler;
  readonly options: SubscribeOptions;
  readonly #owner: PubSubRole;

  constructor(owner: PubSubRole, topic: string, handler: EventHandler, options: SubscribeOptions) {
    this.#owner = owner;
    this.topic = topic;
    this.handler = handler;
    this.options = options;
  }

  unsubscribe(): Promise<void> {
    return this.#owner.unsubscribe(this);
  }
}

function subscribeOptions(options: SubscribeOptions): SubscribeOptionsDict {
  const out: SubscribeOptionsDict = {};
  if (options.match !== undefined && options.match !== 'exact') out['match'] = options.match;
  if (options.getRetained === true) out['get_retained'] = true;
  return out;
}

const PUBLISH_OPTION_NAMES: ReadonlyArray<[keyof PublishOptions, string]> = [
  ['acknowledge', 'acknowledge'], ['excludeMe', 'exclude_me'], ['exclude', 'exclude'],
  ['excludeAuthid', 'exclude_authid'], ['excludeAuthrole', 'exclude_authrole'], ['eligible', 'eligible'],
  ['eligibleAuthid', 'eligible_authid'], ['eligibleAuthrole', 'eligible_authrole'],
  ['discloseMe', 'disclose_me'], ['retain', 'retain'],
];

/** PUBLISH.Options from the camelCase options (spec names on the wire). */
export function publishOptionsDict(options: PublishOptions): PublishOptionsDict {
  const dict: Record<string, unknown> = {};
  for (const [name, wire] of PUBLISH_OPTION_NAMES) {
    const value = options[name];
    if (value !== undefined) dict[wire] = value;
  }
  return dict as PublishOptionsDict;
}

export class PubSubRole {
  readonly #out: SessionOutbound;
  /** Router subscription ID -> local subscriptions sharing it. */
  readonly #byId = new Map<number, ClientSubscription[]>();
  /** Every subscription the application holds (for restore after reconnect). */
  readonly #all = new Set<ClientSubscription>();
  readonly #subscribing = new Map<number, { sub: ClientSubscription; pending: Pending<Subscription> }>();
  readonly #unsubscribing = new Map<number, { subs: ClientSubscription[]; pending: Pending<void> }>();
  readonly #publishing = new Map<number, Pending<Publication>>();
  /** The router revoked a subscription (Advanced Profile, subscription revocation). */
  onRevoked: (subscriptions: Subscription[], reason: string | undefined) => void = () => {};
  /** Reports errors thrown by event handlers (they have no caller to go back to). */
  onHandlerError: (error: unknown, topic: string) => void = () => {};

  constructor(out: SessionOutbound) {
    this.#out = out;
  }

  subscribe(topic: string, handler: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    checkUriArgument(topic, 'topic');
    if (typeof handler !== 'function') throw invalidArgument(`handler must be a function, got ${typeof handler}`);
    if (!this.#out.isJoined) return Promise.reject(notJoined(`subscribe to ${topic}`));
    const sub = new ClientSubscription(this, topic, handler, options);
    return this.#sendSubscribe(sub);
  }

  #sendSubscribe(sub: ClientSubscription): Promise<Subscription> {
    return new Promise<Subscription>((resolve, reject) => {
      this.#out.request((r) => {
        this.#subscribing.set(r, { sub, pending: { resolve, reject } });
        return subscribeMessage(r, subscribeOptions(sub.options), sub.topic);
      }, (r) => this.#subscribing.delete(r));
    });
  }

  unsubscribe(subscription: Subscription): Promise<void> {
    const sub = subscription as ClientSubscription;
    if (!(sub instanceof ClientSubscription) || !sub.active) return Promise.resolve();
    sub.active = false;
    this.#all.delete(sub);
    const siblings = this.#byId.get(sub.id) ?? [];
    const rest = siblings.filter((s) => s !== sub);
    if (rest.length > 0) {
      this.#byId.set(sub.id, rest);
      return Promise.resolve();
    }
    this.#byId.delete(sub.id);
    if (!this.#out.isJoined) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#out.request((r) => {
        this.#unsubscribing.set(r, { subs: [sub], pending: { resolve, reject } });
        return unsubscribeMessage(r, sub.id);
      }, (r) => this.#unsubscribing.delete(r));
    });
  }

  publish(topic: string, args?: Args, kwargs?: Kwargs, options: PublishOptions = {}): Promise<Publication | undefined> {
    checkUriArgument(topic, 'topic');
    checkArgs(args, kwargs);
    if (!this.#out.isJoined) return Promise.reject(notJoined(`publish to ${topic}`));
    const dict = publishOptionsDict(options);
    if (options.passthru !== undefined) {
      try {
        const passthru = checkPassthru(options.passthru);
        // The spec makes a passthru PUBLISH to a broker that did not announce it a protocol violation.
        if (!this.#out.routerHasFeature('broker', 'payload_passthru_mode')) {
          throw featureNotSupported(`the router's broker does not announce payload_passthru_mode (publish to ${topic})`);
        }
        addPassthruKeys(dict, passthru);
        [args, kwargs] = [packPassthru(passthru, args, kwargs), undefined];
      } catch (error) {
        return Promise.reject(error);
      }
    }
    let payload: Uint8Array | undefined;
    if (options.passthru === undefined && this.#out.payloadCodec !== null) {
      // End-to-end encryption (Autobahn's form): the codec decides per topic.
      try {
        const encoded = this.#out.payloadCodec.encode(true, topic, args, kwargs);
        if (encoded !== undefined) {
          if (!this.#out.routerHasAnyFeature('broker', TRANSPARENCY_FEATURES)) {
            throw featureNotSupported(`the router's broker does not announce payload_transparency (encrypted publish to ${topic})`);
          }
          addEncodedKeys(dict, encoded);
          payload = encoded.payload;
        }
      } catch (error) {
        return Promise.reject(error);
      }
    }
    // A payload that cannot be encoded rejects here, having used no request ID.
    const acknowledge = options.acknowledge === true;
    return new Promise<Publication | undefined>((resolve, reject) => {
      this.#out.request((r) => {
        if (acknowledge) this.#publishing.set(r, { resolve, reject });
        return withPayload(publishMessage(r, dict, topic, args, kwargs), payload);
      }, (r) => this.#publishing.delete(r));
      if (!acknowledge) resolve(undefined);
    });
  }

  /** Inbound handlers return the router's protocol violation, if the message is one. */
  onSubscribed(msg: SubscribedMessage): string | undefined {
    const entry = this.#subscribing.get(msg.request);
    if (entry === undefined) return `SUBSCRIBED for unknown request ${msg.request}`;
    this.#subscribing.delete(msg.request);
    const { sub } = entry;
    sub.id = msg.subscription;
    const list = this.#byId.get(msg.subscription);
    if (list === undefined) this.#byId.set(msg.subscription, [sub]);
    else if (!list.includes(sub)) list.push(sub);
    this.#all.add(sub);
    entry.pending.resolve(sub);
    return undefined;
  }

  onUnsubscribed(msg: UnsubscribedMessage): string | undefined {
    const entry = this.#unsubscribing.get(msg.request);
    if (entry === undefined) {
      // Broker-initiated revocation: request 0 and the subscription in details. Every local
      // handler sharing that router subscription loses it.
      const revoked = msg.details?.subscription;
      if (msg.request === 0 && typeof revoked === 'number') {
        const subs = this.#byId.get(revoked) ?? [];
        this.#byId.delete(revoked);
        for (const sub of subs) {
          sub.active = false;
          this.#all.delete(sub);
        }
        if (subs.length > 0) this.onRevoked(subs, typeof msg.details?.reason === 'string' ? msg.details.reason : undefined);
        return undefined;
      }
      return `UNSUBSCRIBED for unknown request ${msg.request}`;
    }
    this.#unsubscribing.delete(msg.request);
    entry.pending.resolve();
    return undefined;
  }

  onPublished(msg: PublishedMessage): string | undefined {
    const pending = this.#publishing.get(msg.request);
    if (pending === undefined) return `PUBLISHED for unknown request ${msg.request}`;
    this.#publishing.delete(msg.request);
    pending.resolve({ id: msg.publication });
    return undefined;
  }

  onEvent(msg: EventMessage): void {
    const subs = this.#byId.get(msg.subscription);
    // An event may cross our UNSUBSCRIBE on the wire; dropping it is correct.
    if (subs === undefined) return;
    const d = msg.details;
    let args = msg.args ?? [];
    let kwargs = msg.kwargs ?? {};
    const passthru = passthruOf(d);
    const encoded = encodedOf(d, msg.payload);
    if (passthru !== undefined || encoded !== undefined) {
      try {
        if (passthru !== undefined) ({ args, kwargs } = unpackPassthru(passthru, msg.args));
        else ({ args, kwargs } = decodeEncoded(this.#out.payloadCodec, false, typeof d.topic === 'string' ? d.topic : subs[0]!.topic, encoded!));
      } catch (error) {
        // No handler can be given what could not be read; the application hears of it.
        for (const sub of subs) this.onHandlerError(error, sub.topic);
        return;
      }
    }
    for (const sub of subs) {
      const details: EventDetails = {
        topic: typeof d.topic === 'string' ? d.topic : sub.topic,
        subscription: msg.subscription,
        publication: msg.publication,
      };
      if (typeof d.publisher === 'number') details.publisher = d.publisher;
      if (typeof d.publisher_authid === 'string') details.publisherAuthid = d.publisher_authid;
      if (typeof d.publisher_authrole === 'string') details.publisherAuthrole = d.publisher_authrole;
      if (d.retained === true) details.retained = true;
      if (passthru !== undefined) details.passthru = passthru;
      if (encoded !== undefined) details.encAlgo = encoded.algo;
      try {
        const result = sub.handler(args, kwargs, details);
        if (result instanceof Promise) result.catch((error: unknown) => this.onHandlerError(error, sub.topic));
      } catch (error) {
        this.onHandlerError(error, sub.topic);
      }
    }
  }

  /** ERROR answering SUBSCRIBE, UNSUBSCRIBE or PUBLISH. Returns false if it answered nothing of ours. */
  onError(msg: ErrorMessage): boolean {
    const error = new ApplicationError(msg.error, msg.args ?? [], msg.kwargs ?? {});
    if (msg.requestType === MessageType.SUBSCRIBE) {
      const entry = this.#subscribing.get(msg.request);
      if (entry === undefined) return false;
      this.#subscribing.delete(msg.request);
      entry.sub.active = false;
      this.#all.delete(entry.sub);
      entry.pending.reject(error);
      return true;
    }
    if (msg.requestType === MessageType.UNSUBSCRIBE) {
      const entry = this.#unsubscribing.get(msg.request);
      if (entry === undefined) return false;
      this.#unsubscribing.delete(msg.request);
      entry.pending.reject(error);
      return true;
    }
    const pending = this.#publishing.get(msg.request);
    if (pending === undefined) return false;
    this.#publishing.delete(msg.request);
    pending.reject(error);
    return true;
  }

  /** The session is gone: pending requests fail; subscriptions stay remembered for restore(). */
  detach(error: Error): void {
    for (const { pending } of this.#subscribing.values()) pending.reject(error);
    for (const { pending } of this.#unsubscribing.values()) pending.reject(error);
    for (const pending of this.#publishing.values()) pending.reject(error);
    this.#subscribing.clear();
    this.#unsubscribing.clear();
    this.#publishing.clear();
    this.#byId.clear();
  }

  /** Re-subscribes everything still active after a rejoin. */
  async restore(): Promise<void> {
    const subs = [...this.#all];
    this.#all.clear();
    await Promise.all(subs.filter((s) => s.active).map((s) => this.#sendSubscribe(s)));
  }

  /** Forgets everything (the application closed the session for good). */
  clear(): void {
    for (const sub of this.#all) sub.active = false;
    this.#all.clear();
  }

  get subscriptions(): Subscription[] {
    return [...this.#all];
  }
}
