import { z } from "zod";

/**
 * A Debezium change of `inventory` (shape: DESIGN.md, "The shop database and change data capture";
 * schemas disabled, so the value is the bare envelope). Only the fields the real-time view needs are
 * checked; every other field, and columns added later (ALTER TABLE … ADD COLUMN), pass through untouched.
 */
export const DEFAULT_LOW_STOCK_THRESHOLD = 10;

const row = z
  .object({
    product_id: z.string().min(1),
    quantity: z.number().int().nullish(),
    low_stock_threshold: z.number().int().nullish(),
  })
  .loose();

const envelope = z
  .object({
    op: z.string(),
    before: row.nullish(),
    after: row.nullish(),
    source: z.object({ lsn: z.number().nullish(), ts_ms: z.number().nullish() }).loose().nullish(),
    ts_ms: z.number().nullish(),
  })
  .loose();

export type InventoryChange =
  | {
      readonly kind: "set";
      readonly productId: string;
      readonly quantity: number;
      readonly threshold: number;
      /** The database commit, epoch ms (source.ts_ms): the start of the commit → Redis latency. */
      readonly commitMs: number | undefined;
    }
  | { readonly kind: "delete"; readonly productId: string; readonly commitMs: number | undefined };

export type InventoryParse = { ok: true; change: InventoryChange } | { ok: false; reason: string };

/** Parses one message value of `db.inventory`. Never throws. */
export function parseInventoryChange(value: Uint8Array | string | null | undefined): InventoryParse {
  if (value === null || value === undefined || value.length === 0) {
    return {
      ok: false,
      reason: "empty message (a tombstone? the connector runs with tombstones.on.delete=false)",
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof value === "string" ? value : Buffer.from(value).toString("utf8"));
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${String(error).slice(0, 200)}` };
  }
  // With schemas enabled the envelope sits under `payload`: accept both rather than fail a whole deployment.
  if (typeof json === "object" && json !== null && "payload" in json && "schema" in json) {
    json = (json as { payload: unknown }).payload;
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `not a Debezium inventory change: ${issue?.path.join(".")}: ${issue?.message}`,
    };
  }
  const { op, before, after, source } = parsed.data;
  const commitMs = source?.ts_ms ?? parsed.data.ts_ms ?? undefined;
  if (op === "d") {
    if (!before) return { ok: false, reason: "a delete without a before image (REPLICA IDENTITY FULL?)" };
    return { ok: true, change: { kind: "delete", productId: before.product_id, commitMs } };
  }
  if (op !== "c" && op !== "r" && op !== "u")
    return { ok: false, reason: `op ${JSON.stringify(op)} is not a row change` };
  if (!after || typeof after.quantity !== "number") {
    return { ok: false, reason: `op ${op} without an after image holding quantity` };
  }
  return {
    ok: true,
    change: {
      kind: "set",
      productId: after.product_id,
      quantity: after.quantity,
      threshold: after.low_stock_threshold ?? DEFAULT_LOW_STOCK_THRESHOLD,
      commitMs,
    },
  };
}
