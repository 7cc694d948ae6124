import { join } from "node:path";
import { stackUp } from "../../stack/launcher.js";
import { stackPaths } from "../../stack/paths.js";
import { isOurProcess, isRunning, readPid } from "../../stack/process.js";
import { processMarker } from "../../stack/start-commands.js";

/**
 * The stack's Kafka Connect worker (Debezium) as the CDC end-to-end tests crash it: found by its PID file
 * and command-line marker as `floe stack` tracks it (stack/process.ts), so nobody else's process is hit.
 */

function connectPid(): number | undefined {
  const paths = stackPaths();
  const pid = readPid(join(paths.run, "connect.pid"));
  return pid !== undefined && isOurProcess(pid, processMarker(paths, "connect")) ? pid : undefined;
}

/** SIGKILLs the stack's Connect worker (a crash: no offset flush, no clean slot release) and waits until it is gone. */
export async function killConnect(): Promise<number> {
  const pid = connectPid();
  if (pid === undefined)
    throw new Error(
      "the stack's Kafka Connect is not running (FLOE_STACK_DIR?): start it with `floe stack up`",
    );
  process.kill(pid, "SIGKILL");
  for (const until = Date.now() + 30_000; isRunning(pid); ) {
    if (Date.now() > until) throw new Error(`Connect (pid ${pid}) still runs 30 s after SIGKILL`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return pid;
}

/**
 * `floe stack up`: starts what is missing (here: Connect) and waits until every service, the connector's
 * task included, is healthy again. Services already running are left alone.
 */
export async function ensureConnect(): Promise<void> {
  await stackUp({ timeoutMs: 300_000 });
}
