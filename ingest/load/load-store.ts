import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { z } from "zod";
import { ConfigError } from "../../core/errors.js";
import { type RetryPolicy, withRetry } from "../../core/retry.js";

/**
 * What `floe ingest load` remembers of a file, by its SHA-256, in the warehouse bucket on S3:
 *
 * - the record `<prefix><sha256>.json`, written once every row of the file is acknowledged by Kafka
 *   (acks=all): its presence is what makes the next load of the same bytes a skip;
 * - the checkpoint `<prefix><sha256>.checkpoint.json` while a load is under way: how many rows are in
 *   Kafka, and for the batch in flight the topics' end offsets before it was sent, so a resumed load can
 *   find which of its rows landed (`load-loop.ts`). It is removed once the record is written.
 *
 * Both live beside the data rather than on the loading machine: every machine loading into the same
 * lakehouse sees the same records, and a load interrupted on one machine can be finished on another.
 */

const counts = z.record(z.string(), z.number().int().nonnegative());

export const loadRecordSchema = z.object({
  version: z.literal(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.string(),
  format: z.string(),
  bytes: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  /** Events per topic (physical names). */
  accepted: counts,
  deadLettered: z.number().int().nonnegative(),
  loadedAt: z.string(),
});
export type LoadRecord = z.infer<typeof loadRecordSchema>;

export const loadCheckpointSchema = z.object({
  version: z.literal(1),
  sha256: z.string(),
  /** Rows [0, published) are in Kafka. */
  published: z.number().int().nonnegative(),
  accepted: counts,
  deadLettered: z.number().int().nonnegative(),
  /** The batch sent but not (yet) acknowledged: rows [published, to), sent after the end offsets `from`. */
  inFlight: z
    .object({
      to: z.number().int().nonnegative(),
      from: z.record(z.string(), z.number().int().nonnegative()),
    })
    .optional(),
  updatedAt: z.string(),
});
export type LoadCheckpoint = z.infer<typeof loadCheckpointSchema>;

/** One file's record and checkpoint. */
export interface LoadStore {
  /** Where they live, for messages. */
  readonly where: string;
  record(): Promise<LoadRecord | undefined>;
  writeRecord(record: LoadRecord): Promise<void>;
  checkpoint(): Promise<LoadCheckpoint | undefined>;
  writeCheckpoint(checkpoint: LoadCheckpoint): Promise<void>;
  clearCheckpoint(): Promise<void>;
}

/** Under the warehouse bucket's `_floe/loads/`, then the topic prefix, so test runs keep apart. */
export function loadStoreKeyPrefix(topicPrefix: string): string {
  return `_floe/loads/${topicPrefix}`;
}

export function s3LoadStore(
  s3: S3Client,
  bucket: string,
  keyPrefix: string,
  sha256: string,
  retry: RetryPolicy,
): LoadStore {
  const recordKey = `${keyPrefix}${sha256}.json`;
  const checkpointKey = `${keyPrefix}${sha256}.checkpoint.json`;
  const get = async <T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> => {
    const text = await withRetry(retry, async () => {
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await object.Body?.transformToString("utf8");
      } catch (error) {
        if (
          error instanceof S3ServiceException &&
          (error.name === "NoSuchKey" || error.$metadata.httpStatusCode === 404)
        )
          return undefined;
        throw error;
      }
    });
    if (text === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ConfigError(`s3://${bucket}/${key} is not a load record or checkpoint Floe wrote`, {
        hint: "delete the object; the next load of the file then publishes it again",
      });
    }
    return parsed.data;
  };
  const put = (key: string, value: unknown) =>
    withRetry(retry, () =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: `${JSON.stringify(value, null, 2)}\n`,
          ContentType: "application/json",
        }),
      ),
    );
  return {
    where: `s3://${bucket}/${keyPrefix}${sha256}.*`,
    record: () => get(recordKey, loadRecordSchema),
    writeRecord: async (record) => {
      await put(recordKey, record);
    },
    checkpoint: () => get(checkpointKey, loadCheckpointSchema),
    writeCheckpoint: async (checkpoint) => {
      await put(checkpointKey, checkpoint);
    },
    clearCheckpoint: async () => {
      await withRetry(retry, () => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: checkpointKey })));
    },
  };
}
