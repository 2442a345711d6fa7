/**
 * `createMessageStream()`: a Writable that sends one message, a frame per write, ended by
 * `end()`. Built on the connection's public frame API only, so it holds no private access.
 */
import { Writable } from 'node:stream';
import { ReadyState } from './connection-types.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import type { MessageData } from './message-data.js';

/** The part of a connection the writer uses (beginMessage has been called). */
export interface MessageFrameSink {
  readonly readyState: ReadyState;
  sendMessageFrame(data: MessageData, fin?: boolean): boolean;
  endMessage(): void;
  drain(): Promise<void>;
}

export function messageWritable(sink: MessageFrameSink): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (sink.readyState !== ReadyState.OPEN) return callback(wsError(WebSocketErrorCode.NOT_OPEN, 'connection is not open'));
      // Backpressure: the next write waits until the send buffer is below its high-water mark.
      if (sink.sendMessageFrame(chunk)) callback();
      else sink.drain().then(() => callback(), callback);
    },
    final(callback) {
      if (sink.readyState !== ReadyState.OPEN) return callback(wsError(WebSocketErrorCode.NOT_OPEN, 'connection is not open'));
      sink.endMessage();
      callback();
    },
  });
}
