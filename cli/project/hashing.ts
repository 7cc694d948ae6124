import { hash } from "node:crypto";

/**
 * The hashes a compile computes per node: sha256 checksums (dbt's `checksum`), and short non-cryptographic
 * fingerprints for `state:modified`. Tens of thousands of nodes per compile make allocation-free versions
 * of the fingerprints worth having; their output must never change, or every node of a `--state` manifest
 * written by an older Floe would look modified.
 */
export function sha256(text: string): string {
  // One-shot: a Hash object per call costs more than hashing a short definition.
  return hash("sha256", text, "hex");
}

const OFFSET = 0x811c9dc5;
const PRIME = 0x01000193;

/**
 * A short content hash for fingerprints (change detection, not security): two 32-bit FNV-style hashes,
 * 16 hex characters. Tens of thousands of fingerprints per compile make `createHash` per string slow.
 */
export function shortHash(text: string): string {
  let a = OFFSET;
  let b = PRIME ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, PRIME);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return hex(a, b);
}

function hex(a: number, b: number): string {
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** Exactly the characters `\s` matches in a JavaScript regular expression. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Whitespace-insensitive hash: reformatting a template is not a modification. Equal to
 * `shortHash(text.replace(/\s+/g, " ").trim())`, computed in two passes over `text` without building the
 * collapsed string (the first pass finds its length, which seeds the hash).
 */
export function bodyFingerprint(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  let length = 0;
  let inSpace = false;
  for (let i = start; i < end; i++) {
    if (isSpace(text.charCodeAt(i))) {
      if (!inSpace) length++;
      inSpace = true;
    } else {
      length++;
      inSpace = false;
    }
  }
  let a = OFFSET;
  let b = PRIME ^ length;
  inSpace = false;
  for (let i = start; i < end; i++) {
    let c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (inSpace) continue;
      inSpace = true;
      c = 0x20;
    } else {
      inSpace = false;
    }
    a = Math.imul(a ^ c, PRIME);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return hex(a, b);
}

/** JSON with sorted keys, so equal configs hash equally whatever order their layers set keys in. */
export function stableStringify(value: unknown): string {
  // Most values (YAML entries written in sorted order, small literals) are already canonical; then the
  // native JSON.stringify gives the same text several times faster than the walk below.
  if (isCanonical(value)) return JSON.stringify(value) ?? "null";
  return sortedStringify(value);
}

function sortedStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + sortedStringify(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  for (const key of keys) {
    const v = record[key];
    if (v === undefined || typeof v === "function") continue;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(key)}:${sortedStringify(v)}`;
  }
  return `${out}}`;
}

/**
 * True when `JSON.stringify(value)` already equals `sortedStringify(value)`: only JSON data (no Dates or
 * other objects with `toJSON`, no undefined array items) in plain objects whose keys, in the order
 * JSON.stringify emits them, are sorted. Undefined object values are dropped by both.
 */
function isCanonical(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case "string":
    case "boolean":
    case "number":
      return true;
    case "object":
      break;
    default:
      return false;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isCanonical(value[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0 && (keys[i - 1] as string) >= key) return false;
    const v = record[key];
    if (v !== undefined && !isCanonical(v)) return false;
  }
  return true;
}
