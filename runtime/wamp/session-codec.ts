/**
 * A session's payload codec (end-to-end encryption, Autobahn's form: `enc_algo`, the payload
 * bytes in place of Arguments; `cryptobox.ts`) as the roles use it: the keys an encoded payload
 * adds to a message, reading one off a received message, and decoding it with the URI checked.
 */
import type { WampDict } from './message-fields.js';
import type { Args, EncodedPayload, Kwargs, PayloadCodec } from './types.js';
import { createError } from '../errors.js';
import { WampErrorCode } from './error-codes.js';

/** The dealer/broker features under which a router forwards Autobahn's form (router/passthru.ts). */
export const TRANSPARENCY_FEATURES = ['payload_transparency', 'payload_passthru_mode'] as const;

export function addEncodedKeys<D extends WampDict>(dict: D, encoded: EncodedPayload): D {
  (dict as WampDict)['enc_algo'] = encoded.algo;
  (dict as WampDict)['enc_serializer'] = encoded.serializer;
  if (encoded.key !== undefined) (dict as WampDict)['enc_key'] = encoded.key;
  return dict;
}

/** The encoded payload of a received message, or undefined when it has none. */
export function encodedOf(dict: WampDict, payload: Uint8Array | undefined): EncodedPayload | undefined {
  if (payload === undefined) return undefined;
  const encoded: EncodedPayload = {
    payload,
    algo: typeof dict['enc_algo'] === 'string' ? dict['enc_algo'] : '',
    serializer: typeof dict['enc_serializer'] === 'string' ? dict['enc_serializer'] : '',
  };
  if (typeof dict['enc_key'] === 'string') encoded.key = dict['enc_key'];
  return encoded;
}

/**
 * args and kwargs of an encoded payload that must carry `uri` (the procedure, topic or error it
 * arrived for: a payload moved to another URI is refused, as Autobahn does). Throws a WampkitError
 * (WAMP_INVALID_PAYLOAD) when there is no codec or it cannot decode.
 */
export function decodeEncoded(codec: PayloadCodec | null, originating: boolean, uri: string, encoded: EncodedPayload): { args: Args; kwargs: Kwargs } {
  if (codec === null) {
    throw createError(WampErrorCode.INVALID_PAYLOAD, `received a payload encoded with enc_algo ${JSON.stringify(encoded.algo)} for ${uri}, but the session has no payload codec`);
  }
  let decoded: { uri: string; args: Args; kwargs: Kwargs };
  try {
    decoded = codec.decode(originating, uri, encoded);
  } catch (error) {
    throw createError(WampErrorCode.INVALID_PAYLOAD, error instanceof Error ? error.message : String(error), {}, error);
  }
  if (decoded.uri !== uri) {
    throw createError(WampErrorCode.INVALID_PAYLOAD, `the encoded payload names ${JSON.stringify(decoded.uri)}, but arrived for ${JSON.stringify(uri)}`);
  }
  return { args: decoded.args, kwargs: decoded.kwargs };
}
