/**
 * The keep-alive ping of one connection (`autoPingInterval` / `autoPingTimeout`): after an
 * interval without received traffic it asks for a ping, and reports a timeout when the pong to
 * that ping does not come in time. It owns its timer and nothing else; the connection sends the
 * ping and fails itself.
 */
import { nextMaskKey } from './mask-keys.js';

export interface KeepAliveOwner {
  /** Send this ping now; false when the connection is no longer open (keep-alive then stops). */
  sendKeepAlivePing(payload: Buffer): boolean;
  /** The pong to our ping did not come within the timeout. */
  keepAliveTimedOut(timeoutMs: number): void;
}

/** Random bytes in each ping, so a pong we did not ask for cannot be mistaken for the answer. */
const PING_PAYLOAD_SIZE = 4;

export class KeepAlive {
  /** Something arrived since the timer last looked: set by the connection on every read. */
  traffic = false;
  readonly #owner: KeepAliveOwner;
  readonly #interval: number;
  readonly #timeout: number;
  readonly #fire: () => void;
  #timer: NodeJS.Timeout | null = null;
  /** The payload of the ping awaiting its pong, or null. */
  #awaiting: Buffer | null = null;

  constructor(owner: KeepAliveOwner, intervalMs: number, timeoutMs: number) {
    this.#owner = owner;
    this.#interval = intervalMs;
    this.#timeout = timeoutMs;
    this.#fire = () => this.#fired();
    this.#arm(intervalMs);
  }

  /** A pong arrived: if it answers our ping, the peer is alive. */
  pong(payload: Buffer): void {
    const expected = this.#awaiting;
    if (expected === null || !expected.equals(payload)) return;
    this.#awaiting = null;
    this.#arm(this.#interval);
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#awaiting = null;
  }

  #arm(delay: number): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#fire, delay);
    // Keep-alive alone must not keep the process running.
    this.#timer.unref();
  }

  #fired(): void {
    if (this.#awaiting !== null) {
      this.#timer = null;
      this.#awaiting = null;
      this.#owner.keepAliveTimedOut(this.#timeout);
      return;
    }
    if (this.traffic) {
      this.traffic = false;
      this.#timer!.refresh();
      return;
    }
    const payload = Buffer.from(nextMaskKey().subarray(0, PING_PAYLOAD_SIZE));
    if (!this.#owner.sendKeepAlivePing(payload)) {
      this.#timer = null;
      return;
    }
    this.#awaiting = payload;
    this.#arm(this.#timeout);
  }
}
