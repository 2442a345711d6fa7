/**
 * WAMP's binary-in-JSON convention (advanced profile "Binary support in JSON"): a byte array
 * travels as a string of "\0" followed by its standard, padded Base64 (RFC 4648 section 4).
 */
import { ProtocolErrorCode, protocolError } from '../wamp/protocol-error.js';

const NUL = '\u0000';
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

/**
 * Returns `value` with every Uint8Array replaced by its "\0"-Base64 string. Containers without
 * binaries are returned as they are (no copy); only the paths leading to a binary are copied,
 * so the caller's message is never modified.
 */
export function binariesToJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return containerToJson(value);
}

// Callers skip primitives before recursing: a call per primitive costs more than the check.
function containerToJson(value: object): unknown {
  if (value instanceof Uint8Array) return NUL + bytesToBase64(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' || item === null) continue;
      const mapped = containerToJson(item);
      if (mapped !== item) {
        out ??= value.slice();
        out[i] = mapped;
      }
    }
    return out ?? value;
  }
  if (ArrayBuffer.isView(value)) return value;
  let out: Record<string, unknown> | undefined;
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    const item = obj[key];
    if (typeof item !== 'object' || item === null) continue;
    const mapped = containerToJson(item);
    if (mapped !== item) {
      out ??= { ...obj };
      out[key] = mapped;
    }
  }
  return out ?? value;
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

function decodeBinaryString(text: string): Uint8Array {
  const bytes = base64ToBytes(text.slice(1));
  if (bytes === undefined) {
    throw protocolError(ProtocolErrorCode.SERIALIZATION, 'JSON string starting with \\u0000 is not valid Base64 binary');
  }
  return bytes;
}
