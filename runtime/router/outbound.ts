/**
 * The router's outbound path: every message the router sends to a session (EVENT from publish,
 * retention, testaments and meta events; INVOCATION, RESULT, progress, ERROR, and the session
 * and request answers) is a typed message from the constructors in wamp/messages*, laid out by
 * `toWire` and encoded for its receiver here, and nowhere else. Nothing thrown while encoding or
 * writing gets past `deliver`: any throw (a serializer that has no form for a value, nesting it
 * cannot go to, more bytes than the peer accepts) fails that one delivery, with this outcome:
 *
 *   EVENT                      not delivered to this subscriber; logged (warn)
 *   RESULT, ERROR for a CALL   replaced by ERROR wamp.error.invalid_payload for that call
 *                              (wamp.error.payload_size_exceeded when it was too big for the peer)
 *   INVOCATION                 not delivered; the dealer answers the caller with invalid_payload
 *   anything else              not delivered; logged (warn)
 *
 * `deliver` returns false for a failed delivery, so the dealer can end a call whose INVOCATION
 * or progressive RESULT did not go out. No other session is touched: the sender of the payload
 * did nothing wrong (its serializer could carry it), and neither did the receiver.
 */
import type { WampTransport } from '../transports/transport.js';
import { MessageType } from '../wamp/message-types.js';
import { errorMessage, messageName, toWire, type WampMessage } from '../wamp/messages.js';
import { describeMessage } from '../wamp/message-trace.js';
import { ErrorUri } from '../wamp/uris.js';
import { isWampkitError } from '../errors.js';
import { logger } from '../log.js';

const log = logger('router');

/**
 * A message that goes unchanged to many receivers (an EVENT to one subscription's subscribers):
 * laid out once, encoded at most once per serializer, and tried at most once per serializer
 * that cannot encode it.
 */
export class SharedMessage {
  readonly message: WampMessage;
  /**
   * Encoded forms by serializer instance (or a key a transport derives from one); transports'
   * `sendShared` fill it. Not by name: two instances of a format may have different limits.
   */
  readonly encoded = new Map<object, Uint8Array | string>();
  #wire: unknown[] | null = null;
  #failed: Map<object | string, unknown> | null = null;

  constructor(message: WampMessage) {
    this.message = message;
  }

  get wire(): unknown[] {
    return (this.#wire ??= toWire(this.message));
  }

  /** Why `serializer` could not encode it, if it was tried and failed. */
  failure(serializer: object | string): unknown {
    return this.#failed?.get(serializer);
  }

  failed(serializer: object | string, error: unknown): void {
    (this.#failed ??= new Map()).set(serializer, error);
  }
}

/** Sends one message to one session's transport; false when it could not be delivered (see above). */
export function deliver(transport: WampTransport, session: number, message: WampMessage): boolean {
  let wire: unknown[];
  try {
    wire = toWire(message);
    if (log.enabled('trace')) log.trace(`out ${session} ${describeMessage(wire)}`);
    transport.send(wire);
    return true;
  } catch (error) {
    return undeliverable(transport, session, message, error);
  }
}

/** `deliver` for a shared message: encoded once per serializer through the message's cache. */
export function deliverShared(transport: WampTransport, session: number, shared: SharedMessage): boolean {
  const serializer = transport.serializer ?? transport.serializerName;
  const earlier = shared.failure(serializer);
  if (earlier !== undefined) return undeliverable(transport, session, shared.message, earlier);
  try {
    const wire = shared.wire;
    if (log.enabled('trace')) log.trace(`out ${session} ${describeMessage(wire)}`);
    if (transport.sendShared !== undefined) transport.sendShared(wire, shared.encoded);
    else transport.send(wire);
    return true;
  } catch (error) {
    shared.failed(serializer, error);
    return undeliverable(transport, session, shared.message, error);
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function undeliverable(transport: WampTransport, session: number, message: WampMessage, error: unknown): false {
  const why = reasonOf(error);
  const what = `${messageName(message.type)}${'request' in message ? ` for request ${message.request}` : ''}`;
  log.warn(() => `session ${session}: ${what} was not delivered, its ${transport.serializerName} transport could not take it: ${why}`);
  const call = message.type === MessageType.RESULT || (message.type === MessageType.ERROR && message.requestType === MessageType.CALL);
  if (call) {
    const kind = message.type === MessageType.RESULT ? 'result' : 'error';
    const tooBig = isWampkitError(error) && error.wampUri === ErrorUri.PAYLOAD_SIZE_EXCEEDED;
    const uri = tooBig ? ErrorUri.PAYLOAD_SIZE_EXCEEDED : ErrorUri.INVALID_PAYLOAD;
    const instead = errorMessage(MessageType.CALL, message.request, {}, uri, [`the call's ${kind} could not be sent to this session: ${why}`]);
    try {
      transport.send(toWire(instead));
    } catch (again) {
      log.warn(() => `session ${session}: not even ERROR ${uri} could be sent: ${reasonOf(again)}`);
    }
  }
  return false;
}
