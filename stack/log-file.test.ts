import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineMasker, MASK, maskSecrets, RotatingLog, rotateFiles, secretsOf } from "./log-file.js";

/** Issue 12, defect 9: the stack wrote the S3 secret into a world-readable log and never rotated it. */
const dir = () => mkdtempSync(join(tmpdir(), "floe-logs-"));
const mode = (path: string) => statSync(path).mode & 0o777;

describe("masking secrets", () => {
  it("masks the secrets it is given and any value assigned to a secret-named key", () => {
    // The Iceberg REST catalog's first log line, as it printed the local stack's S3 secret.
    const line =
      "Creating rest_backend catalog with properties: {s3.path-style-access=true, s3.access-key-id=floe, s3.secret-access-key=floe-local-secret, warehouse=s3://warehouse/}";
    const masked = maskSecrets(line, ["floe-local-secret"]);
    expect(masked).not.toContain("floe-local-secret");
    expect(masked).toContain(`s3.secret-access-key=${MASK}`);
    expect(masked).toContain("s3.access-key-id=floe,");
    // A secret Floe was not told about is still masked by the shape of its key.
    expect(maskSecrets('{"password": "hunter22", "user": "ana"}', [])).toBe(
      `{"password": "${MASK}", "user": "ana"}`,
    );
    expect(maskSecrets("s3.aws-secret-key=abc123 next", [])).toBe(`s3.aws-secret-key=${MASK} next`);
    expect(maskSecrets("nothing to hide here", ["floe-local-secret"])).toBe("nothing to hide here");
  });

  it("finds secrets in a service's environment by name, longest first", () => {
    expect(
      secretsOf(
        {
          FLOE_S3_SECRET_KEY: "floe-local-secret",
          CATALOG_S3_SECRET__ACCESS__KEY: "floe-local-secret",
          TRINO_PASSWORD: "pw-1234",
          PATH: "/usr/bin",
          EMPTY_TOKEN: "",
        },
        ["extra-secret-value"],
      ),
    ).toEqual(["extra-secret-value", "floe-local-secret", "pw-1234"]);
  });

  it("masks a secret split across two chunks of output", () => {
    const masker = new LineMasker(["floe-local-secret"]);
    const out =
      masker.push("key is floe-lo") + masker.push("cal-secret\nnext li") + masker.push("ne") + masker.end();
    expect(out).toBe(`key is ${MASK}\nnext line`);
  });

  it("passes a line longer than its limit on in pieces instead of holding it", () => {
    const masker = new LineMasker([], 10);
    expect(masker.push("x".repeat(25))).toBe("x".repeat(25));
    expect(masker.end()).toBe("");
  });
});

describe("log files", () => {
  it("are created 0600, and an existing world-readable log is made private", () => {
    const d = dir();
    const old = join(d, "old.log");
    writeFileSync(old, "before\n", { mode: 0o644 });
    writeFileSync(`${old}.1`, "older\n", { mode: 0o644 });
    new RotatingLog(old).close();
    expect(mode(old)).toBe(0o600);
    expect(mode(`${old}.1`)).toBe(0o600);
    const fresh = join(d, "new.log");
    const log = new RotatingLog(fresh);
    log.write("x\n");
    log.close();
    expect(mode(fresh)).toBe(0o600);
  });

  it("rotate by size, keeping the newest `keep` files", () => {
    const file = join(dir(), "svc.log");
    const log = new RotatingLog(file, 10, 2);
    for (const line of ["aaaaaaaa\n", "bbbbbbbb\n", "cccccccc\n", "dddddddd\n"]) log.write(line);
    log.close();
    expect(readFileSync(file, "utf8")).toBe("dddddddd\n");
    expect(readFileSync(`${file}.1`, "utf8")).toBe("cccccccc\n");
    expect(readFileSync(`${file}.2`, "utf8")).toBe("bbbbbbbb\n");
    expect(existsSync(`${file}.3`)).toBe(false);
    expect(mode(`${file}.2`)).toBe(0o600);
  });

  it("rotateFiles shifts what exists and drops the oldest", () => {
    const file = join(dir(), "s.log");
    writeFileSync(file, "0");
    writeFileSync(`${file}.1`, "1");
    writeFileSync(`${file}.3`, "3");
    rotateFiles(file, 3);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.1`, "utf8")).toBe("0");
    expect(readFileSync(`${file}.2`, "utf8")).toBe("1");
    expect(existsSync(`${file}.3`)).toBe(false);
  });
});
