/**
 * Event retention: per topic, the most recent event published with `retain: true`, handed to a
 * new subscriber that asks for it (`get_retained: true`) with `EVENT.Details.retained: true`.
 *
 * The spec allows, beside the one event every subscriber would receive, supplemental events of
 * limited distribution (published with black/whitelists). So a topic keeps its last unrestricted
 * event plus the restricted ones published after it (bounded); a subscriber gets the newest one
 * it would have received had it been subscribed at the time (the filter is kept with the event),
 * never one it would not have. An unrestricted event replaces everything before it.
 *
 * Retention is best effort, as the spec says: the store is bounded in topics and in bytes
 * (maxBytes, the estimated payload size of every event kept), the least recently retained topic
 * dropped first when either is exceeded, and optionally in age, so it cannot grow without limit.
 * An event larger than the whole byte budget is not kept (and takes its topic's older events
 * with it, since they are no longer the latest).
 */
import { createError } from '../errors.js';
import { eventMessage, withPayload, type EventDetailsDict, type EventMessage } from '../wamp/messages.js';
import { RouterErrorCode } from './error-codes.js';
import { isReceiver, type PublishFilter } from './event-filter.js';
import { matchesPattern, MatchPolicy, type UriMatch } from './uri-matcher.js';
import type { PeerIdentity } from './peer.js';
import { estimatePayloadBytes } from './payload-size.js';

export interface RetainedEvent {
  readonly topic: string;
  readonly publication: number;
  /** Session ID of the publisher; null for the router itself. */
  readonly publisher: number | null;
  /** The publication's receiver filter, checked again for each later subscriber. */
  readonly filter: PublishFilter;
  /** EVENT.Details as the broker built them at publication (publisher disclosure), without `topic`. */
  readonly details: Readonly<Record<string, unknown>>;
  readonly args?: readonly unknown[];
  readonly kwargs?: Readonly<Record<string, unknown>>;
  /** A passthru payload in Autobahn's form (router/passthru.ts). */
  readonly payload?: Uint8Array;
}

export interface RetentionOptions {
  /** Topics with retained events kept at most; the least recently retained go first. Default 10000. */
  readonly maxTopics?: number;
  /**
   * Estimated bytes of all retained events together (payload, topic, details); over it the least
   * recently retained topics are dropped. Default 64 MiB.
   */
  readonly maxBytes?: number;
  /** Restricted (black/whitelisted) events kept per topic after its last unrestricted one. Default 8. */
  readonly maxRestrictedPerTopic?: number;
  /** Forget events older than this many ms; 0 keeps them until replaced. Default 0. */
  readonly maxAge?: number;
  /** Clock in ms, replaceable for tests. Default Date.now. */
  readonly now?: () => number;
}

interface Stamped {
  readonly event: RetainedEvent;
  readonly at: number;
  /** Estimated bytes held (estimatePayloadBytes of its payload, topic and details). */
  readonly size: number;
}

/** The retention store's byte budget per realm unless configured. */
export const DEFAULT_RETENTION_MAX_BYTES = 64 * 1024 * 1024;

interface TopicSlot {
  base: Stamped | null;
  /** Restricted events newer than `base`, oldest first. */
  restricted: Stamped[];
}

function count(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min)) {
    throw createError(RouterErrorCode.INVALID_OPTION, `retention.${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export class RetentionStore {
  readonly #topics = new Map<string, TopicSlot>();
  readonly #maxTopics: number;
  readonly #maxBytes: number;
  #bytes = 0;
  readonly #maxRestricted: number;
  readonly #maxAge: number;
  readonly #now: () => number;

  constructor(options: RetentionOptions = {}) {
    this.#maxTopics = count(options.maxTopics, 'maxTopics', 10_000, 1);
    this.#maxBytes = count(options.maxBytes, 'maxBytes', DEFAULT_RETENTION_MAX_BYTES, 1);
    this.#maxRestricted = count(options.maxRestrictedPerTopic, 'maxRestrictedPerTopic', 8, 0);
    this.#maxAge = count(options.maxAge, 'maxAge', 0, 0);
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw createError(RouterErrorCode.INVALID_OPTION, `retention.now must be a function, got ${JSON.stringify(options.now)}`);
    }
    this.#now = options.now ?? Date.now;
  }

  /** Topics holding at least one retained event. */
  get size(): number {
    return this.#topics.size;
  }

  /** Estimated bytes of everything retained (what maxBytes bounds). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Stores `event` as its topic's retained event (called for a PUBLISH with `retain: true`). */
  retain(event: RetainedEvent): void {
    const size = estimatePayloadBytes(event.topic, event.details, event.args, event.kwargs);
    if (size > this.#maxBytes) {
      // Kept, it would push out everything else and then itself; its topic's older events are
      // no longer the latest, so they go rather than be handed out as if they were.
      this.delete(event.topic);
      return;
    }
    const stamped: Stamped = { event, at: this.#now(), size };
    let slot = this.#topics.get(event.topic);
    // Re-inserting moves the topic to the end: Map order is then least recently retained first.
    if (slot !== undefined) this.#topics.delete(event.topic);
    else slot = { base: null, restricted: [] };
    if (event.filter.restricted) {
      slot.restricted.push(stamped);
      this.#bytes += size;
      if (slot.restricted.length > this.#maxRestricted) this.#bytes -= slot.restricted.shift()?.size ?? 0;
    } else {
      this.#bytes += size - slotBytes(slot);
      slot.base = stamped;
      slot.restricted = [];
    }
    if (slot.base === null && slot.restricted.length === 0) return;
    this.#topics.set(event.topic, slot);
    // Oldest first; the topic just retained is the newest and fits, so it stays.
    while (this.#topics.size > this.#maxTopics || this.#bytes > this.#maxBytes) {
      const oldest = this.#topics.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
  }

  /** The newest retained event of `topic` that `receiver` would have received, if any. */
  latest(topic: string, receiver: PeerIdentity): RetainedEvent | undefined {
    return this.#latest(topic, receiver)?.event;
  }

  #latest(topic: string, receiver: PeerIdentity): Stamped | undefined {
    const slot = this.#topics.get(topic);
    if (slot === undefined) return undefined;
    const oldestAllowed = this.#maxAge > 0 ? this.#now() - this.#maxAge : -Infinity;
    for (let i = slot.restricted.length - 1; i >= 0; i--) {
      const s = slot.restricted[i]!;
      if (s.at >= oldestAllowed && isReceiver(s.event.filter, s.event.publisher, receiver)) return s;
    }
    const base = slot.base;
    if (base !== null && base.at >= oldestAllowed && isReceiver(base.event.filter, base.event.publisher, receiver)) return base;
    return undefined;
  }

  /**
   * What a new subscription with `get_retained` gets: for an exact subscription the topic's
   * event, for a pattern subscription one event per matching topic, oldest first.
   */
  forSubscription(pattern: string, match: UriMatch, receiver: PeerIdentity): RetainedEvent[] {
    if (match === MatchPolicy.EXACT) {
      const one = this.latest(pattern, receiver);
      return one === undefined ? [] : [one];
    }
    const found: Stamped[] = [];
    for (const topic of this.#topics.keys()) {
      if (!matchesPattern(topic, pattern, match)) continue;
      const stamped = this.#latest(topic, receiver);
      if (stamped !== undefined) found.push(stamped);
    }
    // Publication IDs are random (global scope), so order by when each was retained.
    return found.sort((a, b) => a.at - b.at).map((s) => s.event);
  }

  /** Forgets a topic's retained events; false when it had none. */
  delete(topic: string): boolean {
    const slot = this.#topics.get(topic);
    if (slot === undefined) return false;
    this.#bytes -= slotBytes(slot);
    return this.#topics.delete(topic);
  }

  clear(): void {
    this.#topics.clear();
    this.#bytes = 0;
  }
}

function slotBytes(slot: TopicSlot): number {
  let n = slot.base?.size ?? 0;
  for (const s of slot.restricted) n += s.size;
  return n;
}

/**
 * The EVENT a subscriber receives for a retained event: `retained: true`, and the concrete
 * topic when the subscription is pattern-based (as for any event on such a subscription).
 */
export function retainedEventMessage(subscriptionId: number, event: RetainedEvent, patternSubscription: boolean): EventMessage {
  const details: EventDetailsDict = { ...event.details, retained: true };
  if (patternSubscription) details.topic = event.topic;
  const message = eventMessage(subscriptionId, event.publication, details, event.args as unknown[] | undefined, event.kwargs as Record<string, unknown> | undefined);
  return withPayload(message, event.payload);
}
