/**
 * Delivering EVENTs through pattern guards (pattern-guard.ts) without reordering them.
 *
 * A guard answers at once for static permission tables and for URIs a dynamic authorizer has
 * already been asked about. When it has to ask first, the EVENT waits, and so does every later
 * EVENT for that receiver (of any subscription) until the answer is in, then they go out in the
 * order they were published: WAMP orders the events of one publisher to one subscriber across
 * topics, so nothing may overtake a held event. Only events for this receiver wait; the
 * publisher and every other subscriber carry on. At most MAX_HELD_EVENTS wait per receiver;
 * beyond, new ones are dropped (and logged), so a slow authorizer cannot grow the router.
 */
import type { RouterPeer } from './peer.js';
import type { UriGuard } from './pattern-guard.js';
import { SharedMessage } from './outbound.js';
import type { EventMessage } from '../wamp/messages.js';
import { logger } from '../log.js';

const log = logger('router');

/** Events that may wait per receiver while a dynamic authorizer answers. */
export const MAX_HELD_EVENTS = 1000;

/** What the delivery needs of a subscription: whether the receiver still holds it. */
export interface HeldSubscription {
  readonly subscribers: ReadonlySet<RouterPeer>;
}

interface Held {
  readonly sub: HeldSubscription;
  /** Shared: an EVENT of a publication, encoded once per serializer; else one receiver's own (retained). */
  readonly message: SharedMessage | EventMessage;
  /** True: send; false: the guard denied it; a Promise: the authorizer has not answered yet. */
  verdict: boolean | Promise<boolean>;
}

export class GuardedDelivery {
  readonly #held = new Map<RouterPeer, Held[]>();

  /** Receivers with events waiting; while 0 the broker may send unguarded events directly. */
  get holding(): number {
    return this.#held.size;
  }

  /**
   * Sends `message` to `receiver` if `guard` (absent: no check) allows `uri`, now or, if
   * events for the receiver are waiting, after them (through the outbound path either way).
   */
  deliver(receiver: RouterPeer, sub: HeldSubscription, message: SharedMessage | EventMessage, guard: UriGuard | undefined, uri: string): void {
    const queue = this.#held.get(receiver);
    const verdict = guard === undefined ? true : guard(uri);
    if (queue === undefined && typeof verdict === 'boolean') {
      if (verdict) send(receiver, message);
      return;
    }
    if (queue === undefined) {
      this.#held.set(receiver, []);
    } else if (queue.length >= MAX_HELD_EVENTS) {
      log.warn(() => `session ${receiver.sessionId}: more than ${MAX_HELD_EVENTS} events wait for an authorizer; dropped an event on '${uri}'`);
      return;
    }
    const queued = this.#held.get(receiver)!;
    const item: Held = { sub, message, verdict };
    queued.push(item);
    if (verdict instanceof Promise) {
      verdict.then((v) => v === true, () => false).then((v) => {
        item.verdict = v;
        if (queued[0] === item) this.#drain(receiver, queued);
      });
    }
  }

  /** Drops whatever waits for a receiver that left. */
  forget(receiver: RouterPeer): void {
    this.#held.delete(receiver);
  }

  /** Sends the answered events at the head of the queue, in order, up to the first unanswered one. */
  #drain(receiver: RouterPeer, queue: Held[]): void {
    if (this.#held.get(receiver) !== queue) return;
    while (queue.length > 0) {
      const head = queue[0]!;
      if (typeof head.verdict !== 'boolean') return;
      queue.shift();
      // An event for a subscription the receiver has left since is not sent.
      if (head.verdict && head.sub.subscribers.has(receiver)) send(receiver, head.message);
    }
    this.#held.delete(receiver);
  }
}

/** A receiver that cannot take the EVENT misses it (outbound.ts logs it); nothing throws here. */
function send(receiver: RouterPeer, message: SharedMessage | EventMessage): void {
  if (message instanceof SharedMessage) receiver.sendShared(message);
  else receiver.send(message);
}
