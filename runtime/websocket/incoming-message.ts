/**
 * One received message as a stream (receive mode 'stream'): the data arrives as readable
 * chunks, inflated and UTF-8 checked, before the message is complete. When the reader falls
 * behind, the connection stops reading the socket until it catches up.
 */
import { Readable } from 'node:stream';

export class IncomingMessage extends Readable {
  readonly isBinary: boolean;
  readonly #onRead: () => void;

  /** @internal Made by the connection; `onRead` resumes reading. */
  constructor(isBinary: boolean, onRead: () => void, highWaterMark: number) {
    super({ highWaterMark });
    this.isBinary = isBinary;
    this.#onRead = onRead;
  }

  override _read(): void {
    this.#onRead();
  }
}
