/**
 * A bounded queue behind `for await (… of conn.messages())`: the connection pushes, one
 * consumer pulls. When it holds `limit` items the producer is told to stop reading, and told
 * to go on once the consumer has caught up, so a slow consumer never makes memory grow.
 */

export interface QueueFlow {
  /** The queue is full: stop producing. */
  onQueueFull(): void;
  /** The queue has room again. */
  onQueueRoom(): void;
  /** The consumer stopped iterating early (break / return). */
  onQueueAbandoned(): void;
}

export class MessageQueue<T> implements AsyncIterableIterator<T> {
  readonly #limit: number;
  readonly #flow: QueueFlow;
  #items: T[] = [];
  #head = 0;
  #waiter: ((result: IteratorResult<T>) => void) | null = null;
  #failWaiter: ((error: unknown) => void) | null = null;
  #ended = false;
  #error: unknown = null;
  #full = false;

  constructor(limit: number, flow: QueueFlow) {
    this.#limit = limit;
    this.#flow = flow;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get ended(): boolean {
    return this.#ended;
  }

  push(item: T): void {
    if (this.#ended) return;
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      this.#failWaiter = null;
      waiter({ value: item, done: false });
      return;
    }
    this.#items.push(item);
    if (!this.#full && this.size >= this.#limit) {
      this.#full = true;
      this.#flow.onQueueFull();
    }
  }

  /** No more items; the consumer still gets those queued. With `error`, iteration throws it after them. */
  end(error: unknown = null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    if (this.#waiter !== null) this.#settleEnd();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head]!;
      this.#items[this.#head] = undefined as T;
      this.#head++;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      if (this.#full && this.size < this.#limit) {
        this.#full = false;
        this.#flow.onQueueRoom();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) {
      const error = this.#error;
      this.#error = null;
      return error === null ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(error);
    }
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.#waiter = resolve;
      this.#failWaiter = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    const wasEnded = this.#ended;
    this.#ended = true;
    this.#items = [];
    this.#head = 0;
    if (!wasEnded) this.#flow.onQueueAbandoned();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #settleEnd(): void {
    const waiter = this.#waiter!;
    const fail = this.#failWaiter!;
    this.#waiter = null;
    this.#failWaiter = null;
    const error = this.#error;
    this.#error = null;
    if (error === null) waiter({ value: undefined, done: true });
    else fail(error);
  }
}
