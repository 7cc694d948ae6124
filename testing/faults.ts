import { connect, createServer, type Server, type Socket } from "node:net";
import { stackStatus } from "../stack/launcher.js";
import { isRunning } from "../stack/process.js";
import type { ServiceName } from "../stack/services.js";

/**
 * Faults for integration tests: a TCP path that can be cut, and a stack service killed outright. A test that
 * kills a service brings it back with `stackUp()` (stack/launcher.ts) before it ends, so the tests after it
 * find the stack healthy.
 */

/**
 * A TCP forwarder to a real service that a test can cut and restore: only the clients pointed at the proxy
 * lose the service, which itself stays up for everyone else.
 */
export class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Listens (again, on the same port after a cut, so clients configured with it reconnect). */
  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    const address = server.address();
    if (address && typeof address === "object") this.port = address.port;
    this.server = server;
  }

  /** Resets every open connection and refuses new ones until `open()`. */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

/**
 * SIGKILLs a running service of the local stack — the process its PID file names, checked against the
 * stack's marker by `stackStatus`, never one found by name — and waits until it is gone. Returns its PID.
 */
export async function killStackService(service: ServiceName): Promise<number> {
  const pid = (await stackStatus()).find((s) => s.name === service)?.pid;
  if (pid === undefined) throw new Error(`${service} is not running: nothing to kill`);
  process.kill(pid, "SIGKILL");
  const deadline = Date.now() + 30_000;
  while (isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`${service} (pid ${pid}) still runs 30 s after SIGKILL`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return pid;
}
