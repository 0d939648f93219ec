/**
 * One pass over a JSON text, before it is parsed: how deeply its arrays and objects nest, and
 * whether a string escapes half of a surrogate pair (`"\ud800"`), which no UTF-8 store can keep
 * apart from another (both become U+FFFD). Malformed text is left to the parser.
 *
 * @module
 */

/** Deepest nesting of arrays and objects the gateway accepts in a request body. */
export const MAX_JSON_DEPTH = 64;

/** What a scan found. */
export interface JsonScan {
  /** Deepest nesting of arrays and objects (stops counting past `limit`). */
  depth: number;
  /** True when a `\u` escape names a lone surrogate. */
  loneSurrogate: boolean;
}

function hexAt(text: string, at: number): number {
  const hex = text.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? parseInt(hex, 16) : -1;
}

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Scans `text` (a JSON document): the depth of its nesting and whether it escapes a lone
 * surrogate. Stops early once the depth passes `limit`.
 */
export function scanJson(text: string, limit = MAX_JSON_DEPTH): JsonScan {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x22) inString = false; // "
      else if (char === 0x5c) { // backslash
        if (text.charCodeAt(i + 1) === 0x75) { // u
          const code = hexAt(text, i + 2);
          if (isLow(code)) return { depth: deepest, loneSurrogate: true };
          if (isHigh(code)) {
            const next = text.startsWith("\\u", i + 6) ? hexAt(text, i + 8) : -1;
            if (!isLow(next)) return { depth: deepest, loneSurrogate: true };
            i += 6;
          }
          i += 5;
        } else i++;
      }
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) { // [ {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return { depth: deepest, loneSurrogate: false };
    } else if (char === 0x5d || char === 0x7d) depth--; // ] }
  }
  return { depth: deepest, loneSurrogate: false };
}
