/**
 * One received message as a stream (receive mode 'stream'): the data arrives as readable
 * chunks, inflated and UTF-8 checked, before the message is complete. When the reader falls
 * behind, the connection stops reading the socket until it catches up.
 */
import { Readable } from 'node:stream';

/** What resumes reading when the stream's consumer wants more. */
export interface StreamReader {
  onStreamRead(): void;
}

export class IncomingMessage extends Readable {
  readonly isBinary: boolean;
  readonly #reader: StreamReader;

  /** @internal Made by the connection; `reader.onStreamRead()` resumes reading. */
  constructor(isBinary: boolean, reader: StreamReader, highWaterMark: number) {
    super({ highWaterMark });
    this.isBinary = isBinary;
    this.#reader = reader;
  }

  override _read(): void {
    this.#reader.onStreamRead();
  }
}
