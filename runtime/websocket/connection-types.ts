/**
 * The public shapes of a WebSocket connection: states, events, close information. The handler
 * interface, which names the connection class, is in connection.ts (no import circle).
 */
import type { IncomingMessage } from './incoming-message.js';

export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;
export type ReadyState = (typeof ReadyState)[keyof typeof ReadyState];

export interface CloseInfo {
  /** Both close frames were exchanged and the TCP connection closed in order. */
  wasClean: boolean;
  /** The peer's close code; 1005 if its close frame had none; 1006 if none arrived. */
  code: number;
  reason: string;
}

export interface FrameInfo {
  length: number;
  fin: boolean;
  opcode: number;
}

export interface ReceivedMessage {
  data: Buffer;
  isBinary: boolean;
}

export interface ConnectionEvents {
  message: [data: Buffer, isBinary: boolean];
  messageStream: [message: IncomingMessage];
  ping: [payload: Buffer];
  pong: [payload: Buffer];
  close: [info: CloseInfo];
  error: [error: Error];
  messageBegin: [isBinary: boolean];
  frameBegin: [info: FrameInfo];
  frameData: [chunk: Buffer];
  frameEnd: [];
  messageEnd: [];
}
