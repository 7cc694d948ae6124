import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../main.js";
import type { CliIO } from "./io.js";

/** `floe ingest load`'s edge without a stack: help, and the errors found before Kafka is touched. */

const dir = mkdtempSync(join(tmpdir(), "floe-load-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function floe(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => {
      out.push(t);
    },
    stderr: (t) => {
      err.push(t);
    },
    // Port 1 refuses at once: an error that got as far as Kafka would name Kafka instead.
    env: { ...process.env, FLOE_KAFKA_BROKERS: "127.0.0.1:1" },
    cwd: dir,
  };
  const code = await main(["node", "floe", "ingest", "load", ...args], io);
  return { code, out: out.join(""), err: err.join("") };
}

describe("floe ingest load (no stack)", () => {
  it("--help documents the formats, the limits and the record", async () => {
    const { code, out: help } = await floe("--help");
    expect(code).toBe(0);
    expect(help).toMatch(/\.ndjson \.jsonl \.json/);
    expect(help).toMatch(/\.csv/);
    expect(help).toMatch(/\.parquet \.pq/);
    expect(help).toMatch(/over 1 MiB/);
    expect(help).toMatch(/s3:\/\/warehouse\/_floe\/loads\/<topic-prefix><sha256>\.json/);
    expect(help).toMatch(/--timeout <duration>/);
  });

  it("names a missing file with the fix, before Kafka", async () => {
    const result = await floe(join(dir, "nope.ndjson"));
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/\[LOAD_NOT_FOUND\] no such file or folder: .*nope\.ndjson/);
    expect(result.err).toMatch(/Fix: check the path/);
  });

  it("refuses a file whose format it cannot tell, and an unknown --format", async () => {
    const path = join(dir, "events.txt");
    writeFileSync(path, "{}\n");
    const unknown = await floe(path);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(
      /cannot tell the format of .*events\.txt \(extension \.txt\).*--format ndjson\|csv\|parquet/s,
    );
    const bad = await floe(path, "--format", "xml");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--format must be one of ndjson, csv, parquet/);
  });

  it("says Kafka is down with the fix when it cannot connect", async () => {
    const path = join(dir, "events.ndjson");
    writeFileSync(path, "{}\n");
    const result = await floe(path);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/\[KAFKA_UNREACHABLE\] Cannot reach Kafka at 127\.0\.0\.1:1/);
    expect(result.err).toMatch(/nothing was loaded or recorded/);
  });
});
