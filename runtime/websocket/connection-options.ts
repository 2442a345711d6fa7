/**
 * Validation of what a connection is constructed with (the public boundary: names the bad
 * value), and the defaults filled in.
 */
import { PerMessageDeflate } from './constants.js';
import { WebSocketErrorCode, wsError } from './errors.js';
import { PROTOCOL_DEFAULTS, type ConnectionInit, type ProtocolOptions, type ReceiveMode } from './types.js';

export interface ResolvedConnectionOptions extends Required<ProtocolOptions> {
  receiveMode: ReceiveMode;
}

const LEVEL = { MIN: 0, MAX: 9 } as const;
const MEM_LEVEL = { MIN: 1, MAX: 9 } as const;
const NON_NEGATIVE_INTEGER_OPTIONS = [
  'maxFramePayloadSize',
  'maxMessagePayloadSize',
  'maxFramesPerMessage',
  'autoFragmentSize',
  'autoPingInterval',
  'autoPingTimeout',
  'closeTimeout',
  'compressionThreshold',
] as const;

function invalid(message: string): never {
  throw wsError(WebSocketErrorCode.INVALID_ARGUMENT, message);
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    invalid(`${name} must be an integer in ${min}..${max}, got ${String(value)}`);
  }
}

export function resolveConnectionOptions(init: ConnectionInit): ResolvedConnectionOptions {
  if (init === null || typeof init !== 'object') invalid(`connection init must be an object, got ${String(init)}`);
  if (init.role !== 'client' && init.role !== 'server') invalid(`role must be 'client' or 'server', got ${String(init.role)}`);
  const receiveMode = init.receiveMode ?? 'message';
  if (receiveMode !== 'message' && receiveMode !== 'stream') {
    invalid(`receiveMode must be 'message' or 'stream', got ${String(receiveMode)}`);
  }
  // Spelled out rather than `{ ...PROTOCOL_DEFAULTS, receiveMode }` with a for-of: this runs per
  // connection, and the spread plus iterator cost ~600 bytes of garbage per handshake in Node 20
  // against ~110 here (bench/websocket/idle-only.ts --gc), which shows in idle RSS.
  const d = PROTOCOL_DEFAULTS;
  const resolved: ResolvedConnectionOptions = {
    maxFramePayloadSize: d.maxFramePayloadSize,
    maxMessagePayloadSize: d.maxMessagePayloadSize,
    maxFramesPerMessage: d.maxFramesPerMessage,
    autoFragmentSize: d.autoFragmentSize,
    autoPingInterval: d.autoPingInterval,
    autoPingTimeout: d.autoPingTimeout,
    closeTimeout: d.closeTimeout,
    validateUtf8: d.validateUtf8,
    compressionThreshold: d.compressionThreshold,
    compressionLevel: d.compressionLevel,
    compressionMemLevel: d.compressionMemLevel,
    receiveMode,
  };
  for (let i = 0; i < NON_NEGATIVE_INTEGER_OPTIONS.length; i++) {
    const name = NON_NEGATIVE_INTEGER_OPTIONS[i]!;
    const value = init[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      invalid(`${name} must be a non-negative integer, got ${String(value)}`);
    }
    resolved[name] = value;
  }
  if (init.validateUtf8 !== undefined) {
    if (typeof init.validateUtf8 !== 'boolean') invalid(`validateUtf8 must be a boolean, got ${String(init.validateUtf8)}`);
    resolved.validateUtf8 = init.validateUtf8;
  }
  if (init.compressionLevel !== undefined) {
    checkRange('compressionLevel', init.compressionLevel, LEVEL.MIN, LEVEL.MAX);
    resolved.compressionLevel = init.compressionLevel;
  }
  if (init.compressionMemLevel !== undefined) {
    checkRange('compressionMemLevel', init.compressionMemLevel, MEM_LEVEL.MIN, MEM_LEVEL.MAX);
    resolved.compressionMemLevel = init.compressionMemLevel;
  }
  const deflate = init.deflate;
  if (deflate !== null && deflate !== undefined) {
    for (const name of ['serverMaxWindowBits', 'clientMaxWindowBits'] as const) {
      checkRange(`deflate.${name}`, deflate[name], PerMessageDeflate.MIN_WINDOW_BITS, PerMessageDeflate.MAX_WINDOW_BITS);
    }
  }
  return resolved;
}
