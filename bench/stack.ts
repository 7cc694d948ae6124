/**
 * bench:stack — cold start of the local stack with artifacts cached and services down, to all-healthy, and
 * the stack's total resident memory once healthy (and again after a small query load on Trino).
 * Targets: all healthy in ≤ 90 s, ≤ 8 GiB resident. Prints figures; asserts nothing.
 */
import { stackDown, stackStatus, stackUp } from "../stack/launcher.js";
import { localTrino } from "../testing/local-stack.js";

const gib = (bytes: number) => (bytes / 1024 ** 3).toFixed(2);

async function main(): Promise<void> {
  process.stdout.write("stopping the stack (data kept)…\n");
  await stackDown();
  const started = Date.now();
  const statuses = await stackUp({
    onEvent: (e) => {
      if (e.kind === "install" && e.phase === "download") {
        process.stdout.write(`  note: ${e.service} was not cached; this run includes its download\n`);
      }
    },
  });
  const coldSeconds = (Date.now() - started) / 1000;
  for (const s of statuses)
    process.stdout.write(`  ${s.name.padEnd(13)} ready in ${s.startSeconds?.toFixed(1)} s\n`);
  const rssHealthy = (await stackStatus()).reduce((n, s) => n + (s.rssBytes ?? 0), 0);

  // A little real work, so the figure is not only an idle JVM's.
  const trino = localTrino();
  for (let i = 0; i < 3; i++) await trino.query("SELECT count(*), sum(extendedprice) FROM tpch.sf1.lineitem");
  const after = await stackStatus();
  const rssLoaded = after.reduce((n, s) => n + (s.rssBytes ?? 0), 0);

  process.stdout.write(`cold start to all healthy: ${coldSeconds.toFixed(1)} s (target ≤ 90 s)\n`);
  process.stdout.write(`resident memory, idle: ${gib(rssHealthy)} GiB (target ≤ 8 GiB)\n`);
  process.stdout.write(
    `resident memory after 3 scans of tpch.sf1.lineitem: ${gib(rssLoaded)} GiB (${after
      .map((s) => `${s.name} ${gib(s.rssBytes ?? 0)}`)
      .join(", ")})\n`,
  );
}

await main();
