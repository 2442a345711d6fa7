/**
 * SASLprep (RFC 4013) for WAMP-SCRAM user names and passwords, as used in both the client
 * proof and the router's verification (both sides must agree byte for byte).
 *
 * Implemented: the two mapping tables (non-ASCII spaces to U+0020, "commonly mapped to
 * nothing" removed), NFKC, and the prohibited-output tables (controls, private use,
 * non-characters, surrogates, inappropriate-for-plain-text/canonical, display-changing and
 * tagging characters). Not implemented: the bidirectional-text rule and the check against
 * Unicode 3.2 unassigned code points; strings that would fail only those pass unchanged.
 */

// RFC 3454 C.1.2 (non-ASCII space characters).
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;
// RFC 3454 B.1 (commonly mapped to nothing).
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu;
// RFC 3454 C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9.
const PROHIBITED = new RegExp([
  '[\\u0000-\\u001F\\u007F-\\u009F\\u06DD\\u070F\\u180E\\u200C\\u200D\\u2028\\u2029\\u2060-\\u2063\\u206A-\\u206F\\uFEFF\\uFFF9-\\uFFFC]',
  '[\\u{1D173}-\\u{1D17A}]',
  '[\\uE000-\\uF8FF\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}]',
  '[\\uFDD0-\\uFDEF\\uFFFE\\uFFFF]',
  '[\\u{1FFFE}\\u{1FFFF}\\u{2FFFE}\\u{2FFFF}\\u{3FFFE}\\u{3FFFF}\\u{4FFFE}\\u{4FFFF}\\u{5FFFE}\\u{5FFFF}\\u{6FFFE}\\u{6FFFF}]',
  '[\\u{7FFFE}\\u{7FFFF}\\u{8FFFE}\\u{8FFFF}\\u{9FFFE}\\u{9FFFF}\\u{AFFFE}\\u{AFFFF}\\u{BFFFE}\\u{BFFFF}\\u{CFFFE}\\u{CFFFF}]',
  '[\\u{DFFFE}\\u{DFFFF}\\u{EFFFE}\\u{EFFFF}\\u{FFFFE}\\u{FFFFF}\\u{10FFFE}\\u{10FFFF}]',
  '[\\uD800-\\uDFFF]',
  '[\\uFFFD\\u2FF0-\\u2FFB\\u0340\\u0341\\u200E\\u200F\\u202A-\\u202E\\u{E0001}\\u{E0020}-\\u{E007F}]',
].join('|'), 'u');

/** SASLprep as a stored string; undefined when the result contains a prohibited character. */
export function saslprep(input: string): string | undefined {
  const mapped = input.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '');
  const normalized = mapped.normalize('NFKC');
  // Lone surrogates are not matched by the 'u'-flag class above; check well-formedness explicitly.
  if (PROHIBITED.test(normalized) || !isWellFormed(normalized)) return undefined;
  return normalized;
}

function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}
