/**
 * The session-scope request IDs a router session receives (spec: request IDs are sequential,
 * each request's ID one more than the previous, wrapping after 2^53; a router may treat any
 * other as a protocol violation) and the ones it sends (INVOCATION, its own sequence).
 */
import { MessageType } from '../wamp/message-types.js';
import type { WampMessage } from '../wamp/messages.js';
import { MAX_ID, SessionIdGenerator } from '../wamp/ids.js';

/** Request messages whose Request ID must follow the previous one. */
const SEQUENTIAL: ReadonlySet<number> = new Set([
  MessageType.SUBSCRIBE, MessageType.UNSUBSCRIBE, MessageType.PUBLISH,
  MessageType.REGISTER, MessageType.UNREGISTER, MessageType.CALL,
]);

/** How a message's request ID fits the sequence. */
export const RequestOrder = {
  /** Not a request that is counted, or the next ID in order (now taken). */
  IN_ORDER: 'in-order',
  /** A CALL reusing an earlier ID: a progressive call's continuation, or stale. */
  EARLIER_CALL: 'earlier-call',
  /** Out of order: a protocol violation. */
  VIOLATION: 'violation',
} as const;
export type RequestOrder = (typeof RequestOrder)[keyof typeof RequestOrder];

export class RequestIds {
  #lastInbound = 0;
  #outbound = new SessionIdGenerator();

  /** A new session on the transport: both sequences start again. */
  reset(): void {
    this.#lastInbound = 0;
    this.#outbound = new SessionIdGenerator();
  }

  /** The ID the next inbound request must carry. */
  get expected(): number {
    return this.#lastInbound >= MAX_ID ? 1 : this.#lastInbound + 1;
  }

  /** Checks (and, when in order, takes) the request ID of an inbound message. */
  order(msg: WampMessage): RequestOrder {
    if (!SEQUENTIAL.has(msg.type)) return RequestOrder.IN_ORDER;
    const request = (msg as { request: number }).request;
    if (request === this.expected) {
      this.#lastInbound = request;
      return RequestOrder.IN_ORDER;
    }
    // Progressive call invocations: only new calls must be sequential.
    if (msg.type === MessageType.CALL && request <= this.#lastInbound) return RequestOrder.EARLIER_CALL;
    return RequestOrder.VIOLATION;
  }

  /**
   * A request that failed to parse (a bad URI, answered with ERROR) still used its ID, or the
   * session's next request would look out of order.
   */
  consumed(type: number, request: number): void {
    if (SEQUENTIAL.has(type) && request === this.expected) this.#lastInbound = request;
  }

  /** The next router-to-client request ID (INVOCATION). */
  nextOutbound(): number {
    return this.#outbound.next();
  }
}
