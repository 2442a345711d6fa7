/**
 * The outbound path of a client session: every message the session and its roles send is a
 * typed message from a constructor in messages*.ts, laid out by `toWire` and handed to the
 * transport here, and nowhere else. It owns what sending needs: the transport, the session-scope
 * request ID sequence, and what the router announced in WELCOME (which features a request may
 * use). The session drives it (attach, joined, left, detach); the roles only send through it.
 *
 * A message that cannot be encoded (a Set or NaN over JSON, a circular structure, more than the
 * peer accepts) throws here, before anything is written. A request built with `request()` then
 * uses no request ID: the spec makes request IDs sequential, and the router enforces it, so an
 * ID taken by a message that never left would make the next request look out of order.
 */
import type { WampTransport } from '../transports/transport.js';
import type { PayloadCodec } from './types.js';
import { SessionIdGenerator } from './ids.js';
import { toWire, type WampMessage } from './messages.js';
import { describeMessage } from './message-trace.js';
import { logger } from '../log.js';

const log = logger('wamp');

export class SessionOutbound {
  #transport: WampTransport | null = null;
  #requests = new SessionIdGenerator();
  /** WELCOME.Details.roles while joined; null otherwise. */
  #routerRoles: Record<string, unknown> | null = null;
  /** What the roles encode and decode application payloads with (end-to-end encryption), if anything. */
  payloadCodec: PayloadCodec | null = null;

  /** A new transport: request IDs start again at 1 (their scope is one session). */
  attach(transport: WampTransport): void {
    this.#transport = transport;
    this.#requests = new SessionIdGenerator();
    this.#routerRoles = null;
  }

  detach(): void {
    this.#transport = null;
    this.#routerRoles = null;
  }

  /** WELCOME accepted: requests may be sent; `routerRoles` says which features they may use. */
  joined(routerRoles: Record<string, unknown>): void {
    this.#routerRoles = routerRoles;
  }

  /** The session left its realm (GOODBYE, ABORT, transport loss). */
  left(): void {
    this.#routerRoles = null;
  }

  get isJoined(): boolean {
    return this.#routerRoles !== null;
  }

  /** Whether the router announced `feature` for `role` ('dealer' | 'broker') in WELCOME. */
  routerHasFeature(role: string, feature: string): boolean {
    const r = this.#routerRoles?.[role] as { features?: Record<string, unknown> } | undefined;
    return r?.features?.[feature] === true;
  }

  /** Whether the router announced any of `features` for `role`. */
  routerHasAnyFeature(role: string, features: readonly string[]): boolean {
    return features.some((feature) => this.routerHasFeature(role, feature));
  }

  /** The last request ID sent (a reply to a higher one answers nothing we sent). */
  get lastRequestId(): number {
    return this.#requests.last;
  }

  /** Sends one message; throws what encoding or the transport throws (nothing is written then). */
  send(message: WampMessage): void {
    const transport = this.#transport;
    if (transport === null) return;
    const wire = toWire(message);
    if (log.enabled('trace')) log.trace(`out ${describeMessage(wire)}`);
    transport.send(wire);
  }

  /**
   * Sends the request `build` makes for the next request ID and returns that ID. `build` also
   * records what the answer will need (a pending call, a subscription waiting for SUBSCRIBED):
   * before the send, since a transport may deliver the answer while `send` is still running. If
   * the message cannot be sent, `undo` removes that record, the ID is given back (the next
   * request gets it) and the error is thrown.
   */
  request(build: (request: number) => WampMessage, undo?: (request: number) => void): number {
    const request = this.#requests.next();
    try {
      this.send(build(request));
    } catch (error) {
      undo?.(request);
      this.#requests.giveBack(request);
      throw error;
    }
    return request;
  }
}
