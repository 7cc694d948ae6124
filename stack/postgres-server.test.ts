import { describe, expect, it } from "vitest";
import { postgresArgs, postgresLayout } from "./postgres-server.js";

describe("postgresArgs", () => {
  const settings = (args: string[]) =>
    Object.fromEntries(
      args
        .filter((_, i) => args[i - 1] === "-c")
        .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );

  it("runs the cluster for logical decoding on 127.0.0.1:5433 with its socket in the stack folder", () => {
    const args = postgresArgs(postgresLayout("/stack/data/postgres"), "floe.stack=/stack#postgres");
    expect(args.slice(0, 2)).toEqual(["-D", "/stack/data/postgres/pgdata"]);
    expect(settings(args)).toMatchObject({
      listen_addresses: "127.0.0.1",
      port: "5433",
      wal_level: "logical",
      unix_socket_directories: "/stack/data/postgres/socket",
      max_slot_wal_keep_size: "1GB",
      "floe.stack": "/stack#postgres",
    });
  });

  it("goes without a unix socket rather than past the 107-byte socket path limit", () => {
    const deep = `/${"d".repeat(100)}`;
    expect(settings(postgresArgs(postgresLayout(deep), "floe.stack=x"))).toMatchObject({
      unix_socket_directories: "",
    });
  });
});
