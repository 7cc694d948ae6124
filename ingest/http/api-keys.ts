import { hash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { z } from "zod";
import { ConfigError, UsageError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/write-file-atomic.js";
import { TOPIC_KINDS, type TopicKind } from "../contracts.js";

/**
 * API keys in a local JSON file (mode 0600, written atomically): no shop PostgreSQL exists yet (issue 14),
 * and one file read at start and re-read when it changes needs no service. Only each key's SHA-256 is
 * stored: keys are 256 random bits, so a fast hash cannot be brute-forced and a slow password hash (bcrypt,
 * scrypt) would only cost every request its CPU. The secret is shown once, by `create`.
 */

export const DEFAULT_KEYS_FILE = ".floe/api-keys.json";
/** Events per second a key may send unless created with `--rate`. */
export const DEFAULT_KEY_RATE = 20_000;

const keyRecord = z.object({
  id: z.string().regex(/^key_[0-9a-f]{12}$/),
  name: z.string().min(1),
  /** SHA-256 of the secret, hex. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Topic kinds the key may send to; every topic when absent. */
  topics: z.array(z.enum(TOPIC_KINDS)).optional(),
  /** Events per second (token bucket). */
  rate: z.number().positive(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().optional(),
});
export type ApiKey = z.infer<typeof keyRecord>;

const keyFile = z.object({ version: z.literal(1), keys: z.array(keyRecord) });
type KeyFile = z.infer<typeof keyFile>;

// One-shot hash (Node 20.12+): createHash's Hash object per request showed in one-event-request profiles.
export const hashKey = (secret: string) => hash("sha256", secret, "hex");

export function readKeys(path: string): ApiKey[] {
  if (!existsSync(path)) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON.`, {
      hint: "restore it or delete it and create keys again",
      cause: error,
    });
  }
  const parsed = keyFile.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      `${path} is not an API key file: ${parsed.error.issues[0]?.message ?? "invalid"}.`,
      {
        hint: "restore it or delete it and create keys again",
      },
    );
  }
  return parsed.data.keys;
}

function writeKeys(path: string, keys: readonly ApiKey[]): void {
  const content: KeyFile = { version: 1, keys: [...keys] };
  writeFileAtomic(path, `${JSON.stringify(content, null, 2)}\n`, 0o600);
}

export interface NewKey {
  readonly name: string;
  readonly topics?: readonly TopicKind[];
  readonly rate?: number;
}

/** Creates a key; returns the secret (shown once, never stored) and the stored record. */
export function createKey(path: string, spec: NewKey, now = new Date()): { secret: string; key: ApiKey } {
  const keys = readKeys(path);
  if (keys.some((k) => k.name === spec.name && !k.revokedAt)) {
    throw new UsageError(`An active API key named "${spec.name}" already exists.`, {
      hint: `revoke it first (floe ingest api-keys revoke ${spec.name}) or choose another --name`,
    });
  }
  const secret = `floe_${randomBytes(32).toString("base64url")}`;
  const key: ApiKey = {
    id: `key_${randomBytes(6).toString("hex")}`,
    name: spec.name,
    hash: hashKey(secret),
    ...(spec.topics ? { topics: [...spec.topics] } : {}),
    rate: spec.rate ?? DEFAULT_KEY_RATE,
    createdAt: now.toISOString(),
  };
  writeKeys(path, [...keys, key]);
  return { secret, key };
}

/** Revokes the active key with this name or id; returns it. */
export function revokeKey(path: string, nameOrId: string, now = new Date()): ApiKey {
  const keys = readKeys(path);
  const index = keys.findIndex((k) => !k.revokedAt && (k.name === nameOrId || k.id === nameOrId));
  if (index < 0) {
    throw new UsageError(`No active API key is named "${nameOrId}".`, {
      hint: "see `floe ingest api-keys list`",
    });
  }
  const revoked = { ...(keys[index] as ApiKey), revokedAt: now.toISOString() };
  keys[index] = revoked;
  writeKeys(path, keys);
  return revoked;
}

/**
 * The server's view of the key file: active keys by hash, re-read when the file's mtime or size changes
 * (checked at most every `checkMs`), so a key created or revoked takes effect without a restart.
 */
export class KeyIndex {
  private byHash = new Map<string, ApiKey>();
  private stamp = "";
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly path: string,
    private readonly checkMs = 1_000,
  ) {
    this.reload(Date.now(), true);
  }

  lookup(secret: string, now: number): ApiKey | undefined {
    this.reload(now, false);
    return this.byHash.get(hashKey(secret));
  }

  private reload(now: number, force: boolean): void {
    if (!force && now - this.checkedAt < this.checkMs) return;
    this.checkedAt = now;
    let stamp = "missing";
    try {
      const s = statSync(this.path);
      stamp = `${s.mtimeMs}:${s.size}`;
    } catch {}
    if (stamp === this.stamp) return;
    try {
      this.byHash = new Map(
        readKeys(this.path)
          .filter((k) => !k.revokedAt)
          .map((k) => [k.hash, k]),
      );
      this.stamp = stamp;
    } catch (error) {
      // A file being replaced mid-read or broken by hand: keep the keys already loaded, fail loudly at start.
      if (force) throw error;
    }
  }
}
