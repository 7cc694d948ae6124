import {
  chmodSync,
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";

/**
 * Log hygiene for the stack's services. The Iceberg REST catalog prints its catalog properties, the S3
 * secret among them, when it starts; a log then grew for as long as the stack ran, readable by every user
 * of the machine. So a service's output reaches its log through `log-writer.ts`, which masks secrets line
 * by line, keeps the files private (0600) and rotates them by size. These are its parts, kept pure enough
 * to test without starting a service.
 */

/** Rotate a log when it would grow past this (the REST catalog writes tens of MB a day under tests). */
export const LOG_MAX_BYTES = 20 * 1024 * 1024;
/** Rotated files kept beside the live one: `trino.log.1` (newest) … `trino.log.3`. */
export const LOG_KEEP = 3;
export const MASK = "****";

const SECRET_NAME = /secret|password|passwd|token|credential/i;

/**
 * The values a service must never print: those of its environment variables named like a secret
 * (`FLOE_S3_SECRET_KEY`, `CATALOG_S3_SECRET__ACCESS__KEY`), plus `extra`. Longest first, so a secret that
 * contains another is masked whole. Values under 4 characters would mask ordinary words, so they are left.
 */
export function secretsOf(
  env: Readonly<Record<string, string | undefined>>,
  extra: readonly string[] = [],
): string[] {
  const values = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value !== undefined)
    .map(([, value]) => value as string);
  return [...new Set([...values, ...extra])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

// `key=value`, `key: value`, `"key":"value"` where the key names a secret: the value goes, whatever it is
// (a secret Floe was not told about, e.g. one a user put in a catalog file).
const SECRET_ASSIGNMENT =
  /((?:secret|password|passwd|credential)[\w.-]*["']?\s*[=:]\s*["']?)([^\s,"'}&;]+)/gi;

export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out.replace(SECRET_ASSIGNMENT, (_match, key: string) => `${key}${MASK}`);
}

/**
 * Masks a stream chunk by chunk. Only whole lines are masked and passed on, so a secret split between two
 * chunks is still found; a line longer than `maxLine` is passed on in pieces rather than held forever.
 */
export class LineMasker {
  private pending = "";

  constructor(
    private readonly secrets: readonly string[],
    private readonly maxLine = 64 * 1024,
  ) {}

  push(chunk: string): string {
    const text = this.pending + chunk;
    let cut = text.lastIndexOf("\n") + 1;
    if (cut === 0 && text.length > this.maxLine) cut = text.length;
    this.pending = text.slice(cut);
    return maskSecrets(text.slice(0, cut), this.secrets);
  }

  /** What is left at the end of the stream. */
  end(): string {
    const rest = maskSecrets(this.pending, this.secrets);
    this.pending = "";
    return rest;
  }
}

/** `file` → `file.1`, `file.1` → `file.2`, …; the oldest beyond `keep` is deleted. */
export function rotateFiles(file: string, keep: number): void {
  rmSync(`${file}.${keep}`, { force: true });
  for (let i = keep - 1; i >= 1; i--) {
    if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
  }
  if (existsSync(file)) renameSync(file, `${file}.1`);
}

/** Makes a log and its rotated copies private (logs written before this existed were 0644). */
export function makePrivate(file: string, keep: number): void {
  for (const path of [file, ...Array.from({ length: keep }, (_, i) => `${file}.${i + 1}`)]) {
    if (existsSync(path)) chmodSync(path, 0o600);
  }
}

/** An append-only log file, mode 0600, rotated when it would pass `maxBytes`. */
export class RotatingLog {
  private fd: number;
  private size: number;

  constructor(
    readonly file: string,
    private readonly maxBytes = LOG_MAX_BYTES,
    private readonly keep = LOG_KEEP,
  ) {
    makePrivate(file, keep);
    ({ fd: this.fd, size: this.size } = openPrivate(file));
  }

  write(text: string): void {
    if (text === "") return;
    const bytes = Buffer.from(text, "utf8");
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) {
      closeSync(this.fd);
      rotateFiles(this.file, this.keep);
      ({ fd: this.fd, size: this.size } = openPrivate(this.file));
    }
    writeSync(this.fd, bytes);
    this.size += bytes.length;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function openPrivate(file: string): { fd: number; size: number } {
  const fd = openSync(file, "a", 0o600);
  return { fd, size: fstatSync(fd).size };
}
