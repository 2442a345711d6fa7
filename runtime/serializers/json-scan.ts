/**
 * Cheap questions asked of a JSON text before JSON.parse, which has no depth limit and rounds
 * integers beyond 2^53. Both answers cost next to nothing for ordinary messages (measured in
 * bench/serializers/json-decode.bench.ts):
 *
 * - Can it nest deeper than the limit? Not if it is shorter than twice the limit, and not if
 *   it holds at most `limit` opening brackets (counted by indexOf, in or out of strings). Only
 *   texts with more brackets than that are scanned exactly (strings skipped).
 * - Can it hold an integer literal beyond 2^53? Such a literal has 16 digits or more, so a
 *   stride over every 16th character finds every run of 16 digits; runs that are fractions,
 *   exponents or at most 2^53 are dismissed. A run inside a string is not told apart (the
 *   exact parser then reads the message, correctly, only slower).
 */

const Char = {
  QUOTE: 0x22,
  BACKSLASH: 0x5c,
  OPEN_BRACE: 0x7b,
  CLOSE_BRACE: 0x7d,
  DIGIT_0: 0x30,
  DIGIT_9: 0x39,
  DOT: 0x2e,
  MINUS: 0x2d,
  PLUS: 0x2b,
  LOWER_E: 0x65,
  UPPER_E: 0x45,
} as const;

/** '[' | 0x20 is '{', ']' | 0x20 is '}' (and no other character folds onto those two). */
const CASE_BIT = 0x20;
/** 2^53: integer literals with more digits, or as many and a larger value, lose precision. */
const MAX_EXACT_DIGITS = '9007199254740992';
const RUN = MAX_EXACT_DIGITS.length;

/** True when `text` nests lists and dicts deeper than `maxDepth`. */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  // Every level needs an opening and a closing bracket.
  if (text.length <= 2 * maxDepth) return false;
  if (countOpenings(text, maxDepth + 1) <= maxDepth) return false;
  return scanDepth(text, maxDepth);
}

/** Opening brackets in `text`, counted up to `stop`. */
function countOpenings(text: string, stop: number): number {
  let n = 0;
  for (let i = text.indexOf('['); i >= 0 && n < stop; i = text.indexOf('[', i + 1)) n++;
  for (let i = text.indexOf('{'); i >= 0 && n < stop; i = text.indexOf('{', i + 1)) n++;
  return n;
}

function scanDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // '[' and '{' differ only in bit 0x20, as do ']' and '}': one test each.
    const folded = c | CASE_BIT;
    if (folded === Char.OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (folded === Char.CLOSE_BRACE) {
      depth--;
    } else if (c === Char.QUOTE) {
      // Skip the string; an unterminated one ends the scan (JSON.parse will refuse it).
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === Char.QUOTE) break;
        if (s === Char.BACKSLASH) i++;
      }
    }
  }
  return false;
}

const isDigit = (c: number): boolean => c >= Char.DIGIT_0 && c <= Char.DIGIT_9;

/** True when `text` may hold an integer literal beyond +-2^53 (see the file comment). */
export function mayHoldBigInteger(text: string): boolean {
  const n = text.length;
  for (let i = RUN - 1; i < n; i += RUN) {
    if (!isDigit(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < n && isDigit(text.charCodeAt(end))) end++;
    if (end - start >= RUN && isBeyondExact(text, start, end)) return true;
    // The next run of RUN digits starts after `end` and so contains a later stride point.
    i = end;
  }
  return false;
}

/** Whether the digits text[start, end) are an integer literal (no fraction, no exponent) beyond 2^53. */
function isBeyondExact(text: string, start: number, end: number): boolean {
  const before = start > 0 ? text.charCodeAt(start - 1) : -1;
  if (before === Char.DOT || before === Char.PLUS || before === Char.LOWER_E || before === Char.UPPER_E) return false;
  if (before === Char.MINUS && start > 1) {
    const sign = text.charCodeAt(start - 2);
    if (sign === Char.LOWER_E || sign === Char.UPPER_E) return false;
  }
  const after = end < text.length ? text.charCodeAt(end) : -1;
  if (after === Char.DOT || after === Char.LOWER_E || after === Char.UPPER_E) return false;
  const digits = end - start;
  if (digits > RUN) return true;
  // Exactly 16 digits (a random WAMP ID mostly has 16): only 9xxx... can exceed 2^53.
  return text.charCodeAt(start) === Char.DIGIT_9 && text.slice(start, end) > MAX_EXACT_DIGITS;
}
