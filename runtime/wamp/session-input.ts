/**
 * The input stream of an invocation whose caller sends its arguments progressively
 * (Advanced Profile, progressive call invocations): the chunks after the first, as an async
 * iterable the endpoint reads at its own pace. Chunks that arrive before the endpoint asks
 * are buffered: the caller already sent them, and dropping any would corrupt the stream.
 */
import type { Args, InvocationChunk, Kwargs } from './types.js';
import { invalidArgument } from './session-checks.js';

export class InvocationInput implements AsyncIterable<InvocationChunk> {
  readonly #buffer: InvocationChunk[] = [];
  #waiting: { resolve(r: IteratorResult<InvocationChunk>): void; reject(e: unknown): void } | null = null;
  #ended = false;
  #error: unknown = undefined;
  #failed = false;

  /** One more chunk from the dealer; `final` ends the stream after it. */
  push(args: Args, kwargs: Kwargs, final: boolean): void {
    if (this.#ended) return;
    const chunk: InvocationChunk = { args, kwargs, final };
    if (final) this.#ended = true;
    const waiting = this.#waiting;
    if (waiting !== null) {
      this.#waiting = null;
      waiting.resolve({ value: chunk, done: false });
    } else {
      this.#buffer.push(chunk);
    }
  }

  /** The invocation ended (answered or interrupted): readers see the end, or `error` if given. */
  close(error?: unknown): void {
    if (this.#ended && this.#waiting === null) return;
    this.#ended = true;
    if (error !== undefined) {
      this.#failed = true;
      this.#error = error;
    }
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting === null) return;
    if (this.#failed) waiting.reject(this.#error);
    else waiting.resolve({ value: undefined, done: true });
  }

  get ended(): boolean {
    return this.#ended;
  }

  [Symbol.asyncIterator](): AsyncIterator<InvocationChunk> {
    return {
      next: () => {
        const chunk = this.#buffer.shift();
        if (chunk !== undefined) return Promise.resolve({ value: chunk, done: false });
        if (this.#failed) return Promise.reject(this.#error);
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        if (this.#waiting !== null) return Promise.reject(invalidArgument('invocation input: next() was called before the previous next() settled'));
        return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
      },
    };
  }
}
