import { describe, expect, it } from "vitest";
import { ConfigError, EnvironmentError } from "./errors.js";
import { backoffMs, isRetriable, withRetry } from "./retry.js";

const fast = { attempts: 5, baseMs: 1, maxMs: 2 };

function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe("isRetriable", () => {
  it("reads Floe's own errors", () => {
    expect(isRetriable(new ConfigError("bad"))).toBe(false);
    expect(isRetriable(new EnvironmentError("DOWN", "down"))).toBe(false);
    expect(isRetriable(new EnvironmentError("DOWN", "down", { retriable: true }))).toBe(true);
  });

  it("does not retry a 403, a missing bucket or another 4xx", () => {
    expect(isRetriable(s3Error("AccessDenied", 403))).toBe(false);
    expect(isRetriable(s3Error("NoSuchBucket", 404))).toBe(false);
    expect(isRetriable(s3Error("BadRequest", 400))).toBe(false);
  });

  it("retries 5xx, 429, timeouts and reset connections", () => {
    expect(isRetriable(s3Error("InternalError", 500))).toBe(true);
    expect(isRetriable(s3Error("SlowDown", 503))).toBe(true);
    expect(isRetriable(s3Error("TooManyRequests", 429))).toBe(true);
    expect(isRetriable(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe(true);
    expect(isRetriable(Object.assign(new Error("t"), { name: "TimeoutError" }))).toBe(true);
  });

  it("follows kafkajs's flag, and the cause when kafkajs gave up on its own retries", () => {
    expect(
      isRetriable(Object.assign(new Error("x"), { name: "KafkaJSProtocolError", retriable: false })),
    ).toBe(false);
    const gaveUp = Object.assign(new Error("gave up"), {
      name: "KafkaJSNumberOfRetriesExceeded",
      retriable: false,
      cause: Object.assign(new Error("refused"), { name: "KafkaJSConnectionError", retriable: true }),
    });
    expect(isRetriable(gaveUp)).toBe(true);
  });

  it("reads the cause of kafkajs's non-retriable wrapper: nested retries giving up on a refused connection", () => {
    const refused = Object.assign(new Error("refused"), { name: "KafkaJSConnectionError", retriable: true });
    const wrapper = (cause?: Error) =>
      Object.assign(new Error("wrapped"), { name: "KafkaJSNonRetriableError", retriable: false, cause });
    expect(isRetriable(wrapper(refused))).toBe(true);
    const denied = Object.assign(new Error("denied"), { name: "KafkaJSProtocolError", retriable: false });
    expect(isRetriable(wrapper(denied))).toBe(false);
    expect(isRetriable(wrapper())).toBe(false);
  });
});

describe("withRetry", () => {
  it("retries a transient error until it passes", async () => {
    let calls = 0;
    const result = await withRetry(fast, async () => {
      calls++;
      if (calls < 3) throw Object.assign(new Error("reset"), { code: "ECONNRESET" });
      return "ok";
    });
    expect(result).toBe("ok");
    expect(calls).toBe(3);
  });

  it("throws a permanent error at the first attempt", async () => {
    let calls = 0;
    await expect(
      withRetry(fast, async () => {
        calls++;
        throw s3Error("AccessDenied", 403);
      }),
    ).rejects.toThrow("AccessDenied");
    expect(calls).toBe(1);
  });

  it("gives up after the policy's attempts", async () => {
    const waits: number[] = [];
    await expect(
      withRetry(
        fast,
        async () => {
          throw new Error("flaky");
        },
        (_attempt, _error, wait) => waits.push(wait),
      ),
    ).rejects.toThrow("flaky");
    expect(waits).toHaveLength(4);
  });

  it("backs off exponentially up to the cap", () => {
    const policy = { attempts: 5, baseMs: 100, maxMs: 1_000 };
    expect(backoffMs(policy, 1, () => 1)).toBe(100);
    expect(backoffMs(policy, 3, () => 1)).toBe(400);
    expect(backoffMs(policy, 10, () => 0)).toBe(500);
  });
});
