import { type ChildProcess, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { floe, writeRunnerProject } from "../testing/run-fixture.js";

/** `floe docs serve` as a user runs it: prints the URL, serves target/, stops cleanly on Ctrl-C. */
describe("floe docs serve", () => {
  it("serves the generated site and exits 0 on SIGINT", async () => {
    const dir = writeRunnerProject("unused", { "models/a.sql": "select 1 as x\n" }, { port: 1 });
    expect((await floe(dir, "docs", "serve", "--port", "0")).stderr).toMatch(
      /index\.html does not exist.*floe docs generate first/,
    );
    expect((await floe(dir, "docs", "generate", "--empty-catalog")).exitCode).toBe(0);
    const child = spawn(
      process.execPath,
      ["bin/floe.js", "docs", "serve", "--port", "0", "--project-dir", dir],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const url = await firstMatch(child, /at (http:\/\/127\.0\.0\.1:\d+\/)/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script id="floe-data"');
      expect((await fetch(`${url}catalog.json`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});

function firstMatch(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no match for ${pattern} in: ${seen}`)), 20_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
    });
  });
}
