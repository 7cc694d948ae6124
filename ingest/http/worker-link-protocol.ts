import { z } from "zod";
import type { SpoolRecord } from "./spool-format.js";

/** The messages between worker-link.ts (the HTTP thread) and kafka-link-worker.ts (the Kafka thread). */

export const linkWorkerDataSchema = z.object({
  endpoints: z.object({
    brokers: z.array(z.string()).readonly(),
    s3Endpoint: z.string(),
    s3AccessKey: z.string(),
    s3SecretKey: z.string(),
    bucket: z.string(),
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
