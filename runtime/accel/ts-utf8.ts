/**
 * TypeScript reference UTF-8 validation (RFC 3629; what RFC 6455 section 8.1 requires).
 *
 * The bulk of each chunk goes through Node's `buffer.isUtf8` (simdutf); a small DFA handles
 * the code point that straddles chunk boundaries and, only when the bulk is invalid, finds the
 * exact offset of the first bad byte.
 */
import { isUtf8 } from 'node:buffer';
import type { Utf8Validator } from './types.js';

/** DFA states. ACCEPT: on a boundary. REJECT: invalid, absorbing. The rest: inside a sequence. */
export const State = {
  ACCEPT: 0,
  REJECT: 1,
  NEED1: 2,
  NEED2: 3,
  NEED3: 4,
  /** After E0: next byte must be A0..BF (no overlongs). */
  AFTER_E0: 5,
  /** After ED: next byte must be 80..9F (no surrogates). */
  AFTER_ED: 6,
  /** After F0: next byte must be 90..BF (no overlongs). */
  AFTER_F0: 7,
  /** After F4: next byte must be 80..8F (nothing above U+10FFFF). */
  AFTER_F4: 8,
} as const;

export function step(state: number, byte: number): number {
  switch (state) {
    case State.ACCEPT:
      if (byte < 0x80) return State.ACCEPT;
      if (byte < 0xc2) return State.REJECT;
      if (byte < 0xe0) return State.NEED1;
      if (byte === 0xe0) return State.AFTER_E0;
      if (byte === 0xed) return State.AFTER_ED;
      if (byte < 0xf0) return State.NEED2;
      if (byte === 0xf0) return State.AFTER_F0;
      if (byte < 0xf4) return State.NEED3;
      if (byte === 0xf4) return State.AFTER_F4;
      return State.REJECT;
    case State.NEED1:
      return byte >= 0x80 && byte <= 0xbf ? State.ACCEPT : State.REJECT;
    case State.NEED2:
      return byte >= 0x80 && byte <= 0xbf ? State.NEED1 : State.REJECT;
    case State.NEED3:
      return byte >= 0x80 && byte <= 0xbf ? State.NEED2 : State.REJECT;
    case State.AFTER_E0:
      return byte >= 0xa0 && byte <= 0xbf ? State.NEED1 : State.REJECT;
    case State.AFTER_ED:
      return byte >= 0x80 && byte <= 0x9f ? State.NEED1 : State.REJECT;
    case State.AFTER_F0:
      return byte >= 0x90 && byte <= 0xbf ? State.NEED2 : State.REJECT;
    case State.AFTER_F4:
      return byte >= 0x80 && byte <= 0x8f ? State.NEED2 : State.REJECT;
    default:
      return State.REJECT;
  }
}

/** Length of the sequence a lead byte starts (1 for ASCII and for bytes that are no lead). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/** Start of the trailing incomplete sequence of `buf[start, end)`, or `end` if none. */
function trailingCut(buf: Uint8Array, start: number, end: number): number {
  const limit = Math.min(3, end - start);
  for (let k = 1; k <= limit; k++) {
    const b = buf[end - k]!;
    if (b < 0x80) return end;
    if (b >= 0xc0) return sequenceLength(b) > k ? end - k : end;
  }
  return end;
}

export function isValidUtf8(buffer: Uint8Array): boolean {
  return isUtf8(buffer);
}

export class TsUtf8Validator implements Utf8Validator {
  #state: number = State.ACCEPT;
  #seen = 0;
  #invalidOffset = -1;
  /** Absolute offset of the lead byte of the sequence in progress. */
  #leadOffset = 0;

  get valid(): boolean {
    return this.#state !== State.REJECT;
  }
  get atBoundary(): boolean {
    return this.#state === State.ACCEPT;
  }
  get invalidOffset(): number {
    return this.#invalidOffset;
  }
  get bytesSeen(): number {
    return this.#seen;
  }

  reset(): void {
    this.#state = State.ACCEPT;
    this.#seen = 0;
    this.#invalidOffset = -1;
    this.#leadOffset = 0;
  }

  push(chunk: Uint8Array, start = 0, end = chunk.length): boolean {
    if (this.#state === State.REJECT) return false;
    const base = this.#seen - start;
    this.#seen += end - start;
    let p = start;
    // Finish the code point left open by the previous chunk.
    while (this.#state !== State.ACCEPT && p < end) {
      if (!this.#stepAt(chunk, p, base)) return false;
      p++;
    }
    if (p === end) return true;
    const cut = trailingCut(chunk, p, end);
    if (cut > p && !isUtf8(chunk.subarray(p, cut))) {
      // Run on to `end`, not `cut`: the bulk may be invalid only because its last sequence is
      // cut short by the lead byte at `cut` (C2 C0), and then the bad byte is that lead.
      for (; p < end; p++) if (!this.#stepAt(chunk, p, base)) return false;
      return true;
    }
    for (p = cut; p < end; p++) if (!this.#stepAt(chunk, p, base)) return false;
    return true;
  }

  finish(): boolean {
    if (this.#state === State.REJECT) return false;
    if (this.#state !== State.ACCEPT) {
      this.#state = State.REJECT;
      this.#invalidOffset = this.#leadOffset;
      return false;
    }
    return true;
  }

  /** Steps the DFA over `chunk[p]`; `base + p` is its absolute offset. */
  #stepAt(chunk: Uint8Array, p: number, base: number): boolean {
    if (this.#state === State.ACCEPT) this.#leadOffset = base + p;
    this.#state = step(this.#state, chunk[p]!);
    if (this.#state === State.REJECT) {
      this.#invalidOffset = base + p;
      return false;
    }
    return true;
  }
}
