import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { z } from "zod";
import { DEPENDENCY_PLUGIN, TRINO_VERSION } from "../stack/install.js";

/**
 * Test support: Trino's JDBC driver (io.trino:trino-jdbc from Maven Central, resolved by Maven as the stack
 * resolves its services, so ~/.m2 is the cache) and `Remarks.java`, run with Java's single-file source
 * launcher, to read table and column REMARKS the way BI tools read documentation.
 */
const run = promisify(execFile);
const HERE = fileURLToPath(new URL("./jdbc/", import.meta.url));

/** The driver jar: copied once per machine into the temp folder, then reused. */
export async function trinoJdbcJar(): Promise<string> {
  const dir = join(tmpdir(), `floe-trino-jdbc-${TRINO_VERSION}`);
  const jar = join(dir, `trino-jdbc-${TRINO_VERSION}.jar`);
  if (existsSync(jar)) return jar;
  await run(
    "mvn",
    ["-B", "-q", "-f", join(HERE, "pom.xml"), `${DEPENDENCY_PLUGIN}:copy`, `-Dfloe.out=${dir}`],
    { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return jar;
}

const line = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("table"), table: z.string(), type: z.string(), remarks: z.string().nullable() }),
  z.object({
    kind: z.literal("column"),
    table: z.string(),
    column: z.string(),
    remarks: z.string().nullable(),
  }),
  z.object({ kind: z.literal("table_comment"), table: z.string(), remarks: z.string().nullable() }),
]);

export interface JdbcRemarks {
  /** table name → REMARKS from getTables (always null on Trino 476: see the test). */
  readonly tables: Record<string, string | null>;
  /** table name → its COMMENT, queried over JDBC from system.metadata.table_comments. */
  readonly tableComments: Record<string, string | null>;
  /** `table.column` → REMARKS from getColumns. */
  readonly columns: Record<string, string | null>;
}

/** `DatabaseMetaData.getTables/getColumns` REMARKS of one schema, through the JDBC driver. */
export async function jdbcRemarks(options: {
  readonly port: number;
  readonly user: string;
  readonly catalog: string;
  readonly schema: string;
}): Promise<JdbcRemarks> {
  const jar = await trinoJdbcJar();
  const { stdout } = await run(
    "java",
    [
      "-cp",
      jar,
      join(HERE, "Remarks.java"),
      `jdbc:trino://127.0.0.1:${options.port}`,
      options.user,
      options.catalog,
      options.schema,
    ],
    { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const tables: Record<string, string | null> = {};
  const columns: Record<string, string | null> = {};
  const tableComments: Record<string, string | null> = {};
  for (const text of stdout.split("\n")) {
    if (text.trim() === "") continue;
    const row = line.parse(JSON.parse(text));
    if (row.kind === "table") tables[row.table] = row.remarks;
    else if (row.kind === "column") columns[`${row.table}.${row.column}`] = row.remarks;
    else tableComments[row.table] = row.remarks;
  }
  return { tables, columns, tableComments };
}
