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
  readonly message: unknown[];
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
   * events for the receiver are waiting, after them. `cache` shares serializations between
   * receivers of the same EVENT (null: send unshared).
   */
  deliver(receiver: RouterPeer, sub: HeldSubscription, message: unknown[], cache: Map<string, Uint8Array | string> | null, guard: UriGuard | undefined, uri: string): void {
    const queue = this.#held.get(receiver);
    const verdict = guard === undefined ? true : guard(uri);
    if (queue === undefined && typeof verdict === 'boolean') {
      if (!verdict) return;
      if (cache === null) receiver.send(message);
      else receiver.sendShared(message, cache);
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
      if (head.verdict && head.sub.subscribers.has(receiver)) receiver.send(head.message);
    }
    this.#held.delete(receiver);
  }
}
