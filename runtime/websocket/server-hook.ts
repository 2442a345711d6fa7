/**
 * Running the server's `onConnect` hook: its answer (returned, thrown as an HttpDenial, or
 * either through a promise) into the handshake's decision. A synchronous answer is settled at
 * once; only a promise is awaited, racing the socket, so a hook that never settles cannot hold
 * a handshake whose client is gone.
 */
import type { Duplex } from 'node:stream';
import type { ServerDeflateOptions } from './deflate-negotiation.js';
import { reject, type HandshakeRejection } from './handshake.js';
import { settleHandshake, type Decision, type Prepared } from './server-decision.js';
import { HttpDenial, type ConnectResult, type ConnectionRequest } from './server-request.js';

export type ConnectHook = (request: ConnectionRequest) => ConnectResult | Promise<ConnectResult>;

/** Runs the hook; an HttpDenial it throws is its answer too. Other errors propagate. */
export function callHook(onConnect: ConnectHook, request: ConnectionRequest): ConnectResult | Promise<ConnectResult> {
  try {
    return onConnect(request);
  } catch (err) {
    if (err instanceof HttpDenial) return err;
    throw err;
  }
}

export function isPromiseLike(value: unknown): value is PromiseLike<ConnectResult> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The hook's answer into the decision: a denial, or the acceptance settled with the offer. */
export function settleAnswer(prepared: Prepared, result: ConnectResult, deflate: ServerDeflateOptions | null): Decision | HandshakeRejection {
  if (result instanceof HttpDenial) return reject(result.status, result.reason, { ...result.headers });
  return settleHandshake(prepared, result ?? undefined, deflate);
}

/**
 * An asynchronous answer: the decision, or null once the socket has gone first. Rejects when
 * the hook fails with anything but an HttpDenial; a failure after the socket went goes to
 * `onLateError` instead.
 */
export async function awaitAnswer(
  prepared: Prepared,
  answer: PromiseLike<ConnectResult>,
  deflate: ServerDeflateOptions | null,
  socket: Duplex,
  onLateError: (err: unknown) => void,
): Promise<Decision | HandshakeRejection | null> {
  const decision = settleLater(prepared, answer, deflate);
  const closed = whenGone(socket);
  try {
    const outcome = await Promise.race([decision, closed.promise]);
    if (outcome === null) decision.catch(onLateError);
    return outcome;
  } finally {
    // Release the 'close' listener: left pending, its reaction would keep this whole handshake
    // (request, headers, URL) alive for the life of the connection.
    closed.cancel();
  }
}

async function settleLater(prepared: Prepared, answer: PromiseLike<ConnectResult>, deflate: ServerDeflateOptions | null): Promise<Decision | HandshakeRejection> {
  let result: ConnectResult;
  try {
    result = await answer;
  } catch (err) {
    if (err instanceof HttpDenial) result = err;
    else throw err;
  }
  return settleAnswer(prepared, result, deflate);
}

/** Resolves with null once the socket closes; `cancel` drops the listener (and the promise's hold). */
function whenGone(socket: Duplex): { promise: Promise<null>; cancel: () => void } {
  if (socket.destroyed) return { promise: Promise.resolve(null), cancel: () => {} };
  let onClose!: () => void;
  const promise = new Promise<null>((resolve) => {
    onClose = () => resolve(null);
    socket.once('close', onClose);
  });
  return { promise, cancel: () => socket.removeListener('close', onClose) };
}
