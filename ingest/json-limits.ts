/**
 * What a decoded message may hold beyond its contract (issue 12). Both checks run only off the hot path:
 * on a value the decoder is about to JSON-encode into `attributes` (strings, the usual case, skip it),
 * and on bytes the fatal UTF-8 decoder already refused.
 */

/**
 * Levels of nesting a message may have, the event object being level 1. The contracts need 3 (`items`:
 * an array of objects); attributes get the rest. `JSON.parse` is iterative, but `JSON.stringify` (which
 * encodes attributes) and other recursive readers overflow the stack at a few thousand levels.
 */
export const MAX_NESTING_DEPTH = 64;

export const NON_FINITE_REASON = "number beyond the double range (±1.8e308)";

/**
 * Why a parsed JSON value found at `depth` cannot be stored losslessly, or undefined when it can: nested
 * deeper than MAX_NESTING_DEPTH, or holding a number JSON.parse turned into ±Infinity (`1e400`), which
 * JSON.stringify would silently write as `null`. Iterative with an explicit stack, so a value nested a
 * million levels deep costs one step per level up to the limit, not a stack overflow.
 */
export function storedValueProblem(value: unknown, depth: number): string | undefined {
  const values: unknown[] = [value];
  const depths: number[] = [depth];
  while (values.length > 0) {
    const v = values.pop();
    const d = depths.pop() as number;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return NON_FINITE_REASON;
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (d > MAX_NESTING_DEPTH) return `nesting deeper than ${MAX_NESTING_DEPTH} levels`;
    if (Array.isArray(v)) {
      for (const item of v) {
        values.push(item);
        depths.push(d + 1);
      }
    } else {
      const record = v as Record<string, unknown>;
      for (const key in record) {
        values.push(record[key]);
        depths.push(d + 1);
      }
    }
  }
  return undefined;
}

/**
 * Offset of the first byte that is not well-formed UTF-8 (the WHATWG decoder's rules: no overlong forms,
 * no surrogates, nothing above U+10FFFF, no truncated sequence), or -1. Only used to name the byte in a
 * DLQ reason once a fatal TextDecoder has refused the message.
 */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong below U+0800
      if (b === 0xed) hi = 0x9f; // UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong below U+10000
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      // The second byte's range depends on the lead byte; later ones are plain continuation bytes.
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}
