import { z } from "zod";

/** `floe ingest generate`'s flags (apart from the command, so its action can load lazily). */

const num = z.coerce.number();
const probability = num.min(0).max(1);

export const generateFlags = z.object({
  events: num.int().positive(),
  rate: num.positive().optional(),
  seed: num.int().default(42),
  duplicates: probability.default(0),
  malformed: probability.default(0),
  late: probability.default(0),
  topicPrefix: z.string().default(""),
  partitions: num.int().positive().default(3),
  start: z.iso.datetime().optional(),
  days: num.positive().default(3),
  ledger: z.string().optional(),
  resume: z.boolean().default(false),
  checkpoint: z.string().min(1).optional(),
});

export type GenerateFlags = z.infer<typeof generateFlags>;
