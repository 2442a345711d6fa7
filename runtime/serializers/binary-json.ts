/**
 * WAMP's binary-in-JSON convention (advanced profile "Binary support in JSON"): a byte array
 * travels as a string of "\0" followed by its standard, padded Base64 (RFC 4648 section 4).
 */
import { ProtocolErrorCode, protocolError } from '../wamp/protocol-error.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// Node's Buffer is several times faster than atob/btoa; browsers fall back to those.
const NodeBuffer = (globalThis as { Buffer?: typeof import('node:buffer').Buffer }).Buffer;

export function bytesToBase64(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let raw = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    raw += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(raw);
}

/** Decodes strict Base64; returns undefined for anything else. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  if (NodeBuffer !== undefined) {
    const b = NodeBuffer.from(text, 'base64');
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** Replaces, in place, every "\0"-prefixed string in a freshly parsed JSON value by its bytes. */
export function jsonToBinaries(value: unknown): unknown {
  if (typeof value === 'string') return value.charCodeAt(0) === 0 ? decodeBinaryString(value) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = jsonToBinaries(value[i]);
    return value;
  }
  const obj = value as Record<string, unknown>;
  for (const key in obj) obj[key] = jsonToBinaries(obj[key]);
  return value;
}

/** The bytes of a "\0"-prefixed JSON string; a ProtocolError when the rest is not strict Base64. */
export function decodeBinaryString(text: string): Uint8Array {
  const bytes = base64ToBytes(text.slice(1));
  if (bytes === undefined) {
    throw protocolError(ProtocolErrorCode.SERIALIZATION, 'JSON string starting with \\u0000 is not valid Base64 binary');
  }
  return bytes;
}
