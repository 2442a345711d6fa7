/**
 * One socket's writes of one tick, batched into one writev: the first write corks the socket and
 * the end of the tick (process.nextTick) uncorks it, so a router answering many calls, or fanning
 * several events out to one subscriber, makes one system call per connection instead of one per
 * message. Bounded at TICK_BATCH_MAX: a write larger than that hands the batch over and goes to
 * the socket at once (one system call is cheap next to its bytes, and holding it back only delays
 * it), and a batch that grows past it is handed over as it fills. Corking changes when bytes reach
 * the kernel, never their order, and they count in the socket's writableLength meanwhile.
 * Used by the WebSocket engine's FrameSender and by the RawSocket transport.
 */

export const TICK_BATCH_MAX = 16 * 1024;

/** What a batch needs of its socket. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

export class TickBatch {
  readonly #socket: Corkable;
  /** The socket is corked for the current tick; the uncork is scheduled. */
  #corked = false;
  /** Bytes written under the cork so far. */
  #bytes = 0;

  constructor(socket: Corkable) {
    this.#socket = socket;
  }

  /** Before writing `size` bytes: joins the tick's batch, or hands the batch over for a write too large to join. */
  before(size: number): void {
    if (size > TICK_BATCH_MAX) {
      this.flush();
      return;
    }
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(TickBatch.#tickEnd, this);
    }
  }

  /** After writing `size` bytes (announced to `before`): hands the batch over once it passed the bound. */
  after(size: number): void {
    if (!this.#corked) return;
    this.#bytes += size;
    if (this.#bytes > TICK_BATCH_MAX) this.flush(); // this write went with the batch; the next corks anew
  }

  /** Hands what this tick corked to the socket now (before a destroy, which would drop it). */
  flush(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#bytes = 0;
    this.#socket.uncork();
  }

  /** One static function (no closure per socket); after an early flush it finds nothing corked. */
  static #tickEnd(batch: TickBatch): void {
    batch.flush();
  }
}
