/**
 * Handshake deadlines of many sockets on one timer. Every socket of a server gets the same
 * timeout, so deadlines fall due in the order the sockets arrived: a Map (insertion-ordered) is
 * the queue, and one timer, armed for the oldest deadline, serves them all. A timer per
 * accepted socket cost every handshake a Timeout object and a closure: garbage that, over
 * thousands of handshakes, grows V8's young generation, whose pages then stay resident.
 */
import { performance } from 'node:perf_hooks';

export class HandshakeClock<K extends object> {
  readonly #timeoutMs: number;
  readonly #onExpire: (key: K) => void;
  /** Key -> deadline (whole ms of performance.now(): small integers, stored unboxed). */
  readonly #deadlines = new Map<K, number>();
  #timer: NodeJS.Timeout | null = null;
  /** Inside #expire, which arms the timer itself once done. */
  #expiring = false;
  readonly #fire = (): void => this.#expire();

  /** `onExpire` runs for each key whose deadline passed; the key is no longer tracked then. */
  constructor(timeoutMs: number, onExpire: (key: K) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onExpire = onExpire;
  }

  get size(): number {
    return this.#deadlines.size;
  }

  has(key: K): boolean {
    return this.#deadlines.has(key);
  }

  /** Starts the clock for a key (a key already running keeps its deadline). */
  start(key: K): void {
    if (this.#deadlines.has(key)) return;
    this.#deadlines.set(key, Math.ceil(performance.now()) + this.#timeoutMs);
    if (this.#timer === null && !this.#expiring) this.#arm(this.#timeoutMs);
  }

  /** Stops the clock for a key; true if it was running. */
  stop(key: K): boolean {
    return this.#deadlines.delete(key);
  }

  /** Stops every clock; returns the keys that were running. */
  clear(): K[] {
    const keys = [...this.#deadlines.keys()];
    this.#deadlines.clear();
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    return keys;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(this.#fire, ms);
    // Pending handshakes alone must not keep the process alive.
    this.#timer.unref();
  }

  #expire(): void {
    this.#timer = null;
    this.#expiring = true;
    try {
      const now = performance.now();
      for (const [key, deadline] of this.#deadlines) {
        if (deadline > now) break;
        this.#deadlines.delete(key);
        this.#onExpire(key);
      }
    } finally {
      this.#expiring = false;
      // Keys stopped early left no trace: the timer just moves on to the oldest deadline left.
      for (const deadline of this.#deadlines.values()) {
        this.#arm(Math.max(1, deadline - performance.now()));
        break;
      }
    }
  }
}
