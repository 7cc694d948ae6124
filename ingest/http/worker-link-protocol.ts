import { z } from "zod";
import type { SpoolRecord } from "./spool-format.js";

/** The messages between worker-link.ts (the HTTP thread) and kafka-link-worker.ts (the Kafka thread). */

export const linkWorkerDataSchema = z.object({
  // Kafka only: the Kafka thread never talks to S3.
  endpoints: z.object({
    brokers: z.array(z.string()).readonly(),
    kafkaTls: z.union([z.literal(true), z.object({ ca: z.string() })]).optional(),
    kafkaSasl: z
      .object({
        mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"]),
        username: z.string(),
        password: z.string(),
      })
      .optional(),
  }),
  topics: z.array(z.string()).readonly(),
});
export type LinkWorkerData = z.infer<typeof linkWorkerDataSchema>;

/** Posted by the HTTP thread; structured clone carries the bigints, Sets and records as they are. */
export type LinkRequest = { readonly id: number } & (
  | { readonly op: "send"; readonly records: readonly SpoolRecord[]; readonly spoolId: string }
  | {
      readonly op: "delivered";
      readonly spoolId: string;
      readonly afterSeq: bigint;
      readonly from: Readonly<Record<string, number>>;
      readonly scan: boolean;
    }
  | { readonly op: "reset" }
  | { readonly op: "close" }
);

export type LinkReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string };
