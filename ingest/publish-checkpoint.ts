import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { ConfigError, EnvironmentError, FloeError, UsageError } from "../core/errors.js";

/**
 * The generator's progress, so an interrupted run resumes without publishing a message twice.
 *
 * The stream is deterministic, so a message is named by its sequence number (its slot in the stream).
 * After each acknowledged batch the checkpoint records `published` (every message before it is in Kafka)
 * and `sendingTo` (the end of the next batch: a message at or after it has never been sent). A batch sent
 * but not acknowledged — the process killed mid-send, an ack lost in a broker blip — may have landed
 * anyway. Kafka appends a partition's part of a produce request whole or not at all, so on resume the end
 * offsets say which parts landed: each partition holds either none or all of its messages of
 * [published, sendingTo) beyond what the checkpoint accounts for (`baseline` + the messages before
 * `published`). Those are skipped, the rest sent. Anything else means another writer used the topics.
 */

/** The settings that fix the stream; a resume must use the same. */
export const generatorSettingsSchema = z.object({
  events: z.number().int().nonnegative(),
  seed: z.number().int(),
  start: z.string(),
  days: z.number().positive(),
  duplicates: z.number(),
  malformed: z.number(),
  late: z.number(),
  oversized: z.boolean(),
  topicPrefix: z.string(),
  // Checkpoints written before --v3-share existed are runs without v3 events.
  v3Share: z.number().default(0),
});
export type GeneratorSettings = z.infer<typeof generatorSettingsSchema>;

/** `topic/partition` → end offset (the offset the next message there gets). */
export type EndOffsets = Record<string, number>;

export const partitionKey = (topic: string, partition: number) => `${topic}/${partition}`;

export const checkpointSchema = z.object({
  version: z.literal(1),
  settings: generatorSettingsSchema,
  /** End offsets of the topics before the run's first message. */
  baseline: z.record(z.string(), z.number().int().nonnegative()),
  published: z.number().int().nonnegative(),
  sendingTo: z.number().int().nonnegative(),
  updatedAt: z.string(),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

export interface CheckpointStore {
  /** Where it lives, for messages. */
  readonly path: string;
  read(): Promise<Checkpoint | undefined>;
  write(checkpoint: Checkpoint): Promise<void>;
}

/** A JSON file, replaced atomically (write a temporary file, then rename), so a crash never leaves half. */
export function fileCheckpointStore(path: string): CheckpointStore {
  return {
    path,
    async read() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as { code?: unknown }).code === "ENOENT") return undefined;
        throw error;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const parsed = checkpointSchema.safeParse(json);
      if (!parsed.success) {
        throw new ConfigError("the generator's checkpoint is not valid JSON of a checkpoint", {
          location: { file: path, path: parsed.error.issues[0]?.path.join(".") },
          hint: "delete it and publish again without --resume (into fresh topics, or duplicates follow)",
        });
      }
      return parsed.data;
    },
    async write(checkpoint) {
      try {
        await mkdir(dirname(path), { recursive: true });
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify(checkpoint, null, 2)}\n`);
        await rename(tmp, path);
      } catch (cause) {
        throw new EnvironmentError("CHECKPOINT_WRITE", `cannot write the generator's checkpoint ${path}`, {
          hint: "make its folder writable or pass --checkpoint <file> elsewhere; the run stopped there",
          cause,
        });
      }
    },
  };
}

/** The settings that differ between a checkpoint and a resume (empty: the same stream). */
export function settingsDiff(recorded: GeneratorSettings, given: GeneratorSettings): string[] {
  return (Object.keys(recorded) as (keyof GeneratorSettings)[])
    .filter((k) => recorded[k] !== given[k])
    .map((k) => `${k}: ${JSON.stringify(recorded[k])} in the checkpoint, ${JSON.stringify(given[k])} now`);
}

export function checkResumable(checkpoint: Checkpoint | undefined, given: GeneratorSettings, path: string) {
  if (!checkpoint) {
    throw new UsageError(`--resume: there is no checkpoint at ${path}`, {
      hint: "publish without --resume, or point --checkpoint at the interrupted run's file",
    });
  }
  const diff = settingsDiff(checkpoint.settings, given);
  if (diff.length > 0) {
    throw new UsageError(`--resume: the checkpoint is of another stream (${diff.join("; ")})`, {
      hint: "resume with the interrupted run's flags, or publish without --resume",
    });
  }
  return checkpoint;
}

/**
 * Which messages of the interrupted batch are in Kafka already. `accounted` is each partition's expected
 * end offset (baseline + the messages before `published`), `current` the end offsets now, `pending` the
 * partition key of each message of [published, sendingTo) in order. Returns, for each of those, whether
 * it landed. Pure.
 */
export function landedOfPending(
  accounted: EndOffsets,
  current: EndOffsets,
  pending: readonly string[],
): boolean[] {
  const pendingPer = new Map<string, number>();
  for (const key of pending) pendingPer.set(key, (pendingPer.get(key) ?? 0) + 1);
  const landed = new Set<string>();
  for (const key of new Set([...Object.keys(accounted), ...Object.keys(current)])) {
    const extra = (current[key] ?? 0) - (accounted[key] ?? 0);
    if (extra === 0) continue;
    if (extra === (pendingPer.get(key) ?? 0)) {
      landed.add(key);
      continue;
    }
    throw new FloeError(
      "RESUME_CONFLICT",
      extra < 0
        ? `${key} holds ${-extra} messages fewer than this run published: the topic was deleted or truncated`
        : `${key} holds ${extra} messages this run cannot account for (its interrupted batch had ${pendingPer.get(key) ?? 0} there): another producer writes to these topics`,
      {
        hint: "publish again without --resume into fresh topics (another --topic-prefix)",
        exitCode: 2,
      },
    );
  }
  return pending.map((key) => landed.has(key));
}
