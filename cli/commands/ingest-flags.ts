import { z } from "zod";
import { DURATION, durationSeconds } from "../../core/duration.js";

/** `floe ingest generate`'s flags (apart from the command, so its action can load lazily). */

const num = z.coerce.number();
const probability = num.min(0).max(1);

const duration = z.string().regex(DURATION, "a duration like 30s, 15m or 2h");

export const generateFlags = z
  .object({
    events: num.int().positive().optional(),
    rate: num.positive().optional(),
    realtime: z.boolean().default(false),
    duration: duration.optional(),
    burstRate: num.positive().optional(),
    burstEvery: duration.default("5m"),
    burstFor: duration.default("30s"),
    seed: num.int().default(42),
    duplicates: probability.default(0),
    malformed: probability.default(0),
    late: probability.default(0),
    v3Share: probability.default(0),
    topicPrefix: z.string().default(""),
    partitions: num.int().positive().default(3),
    start: z.iso.datetime().optional(),
    days: num.positive().default(3),
    ledger: z.string().optional(),
    resume: z.boolean().default(false),
    checkpoint: z.string().min(1).optional(),
    /** `--shop-db` alone (true) means the default URL. */
    shopDb: z.union([z.literal(true), z.string().min(1)]).optional(),
  })
  .refine((f) => f.events !== undefined || (f.realtime && f.duration !== undefined), {
    path: ["events"],
    message: "--events <n> is required (or --realtime --rate <r> --duration <d>)",
  })
  .refine((f) => !f.realtime || f.rate !== undefined, {
    path: ["rate"],
    message: "--realtime needs --rate <events/s>",
  })
  .refine((f) => f.burstRate === undefined || f.rate !== undefined, {
    path: ["burstRate"],
    message: "--burst-rate needs --rate <events/s>",
  })
  .refine((f) => (durationSeconds(f.burstFor) ?? 0) < (durationSeconds(f.burstEvery) ?? 0), {
    path: ["burstFor"],
    message: "--burst-for must be shorter than --burst-every",
  });

export type GenerateFlags = z.infer<typeof generateFlags>;
