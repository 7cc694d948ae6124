import type { TrinoConnection } from "../../trino/connection.js";
import { quoteIdentifier, quoteRelation, quoteString, type Relation } from "../../trino/dialect.js";
import { TrinoQueryError } from "../../trino/errors.js";
import type { Manifest } from "../manifest/manifest.js";
import { type HiveLayout, hiveFilesVersion, hiveLayoutOf, partitionId } from "./hive-files-version.js";
import type { ObjectLister } from "./s3-object-lister.js";

/** Reads an input's version now (the I/O edge of `--due`; decide-due.ts is pure). */
export interface VersionReader {
  /** `id` is a table-like node or a source of the manifest. */
  versionOf(id: string): Promise<string>;
}

type Query = TrinoConnection["query"];

/**
 * Versions read without reading rows, and changed by any write:
 * - an Iceberg table (models, seeds, snapshots, Iceberg sources): its `main` snapshot id, from `"t$refs"`;
 * - an external Hive table on S3 (the raw layer the sink writes): its location and partitions from the
 *   metastore (`SHOW CREATE TABLE`, `"t$partitions"`), then the location listed (ListObjectsV2, 1,000 keys a
 *   request): the files of registered partitions as count, bytes, newest and digest (hive-files-version.ts).
 *   A file in a folder not registered yet is not read by Trino, so it is no change until it is;
 * - any other Hive table (managed, another file system), or when the listing fails (no S3 access from
 *   here): through Trino, how many data files it sees and the newest one's modification time (`"$path"`,
 *   `"$file_modified_time"`), which passes every row (README has figures);
 * - a missing table: `absent`; any other connector: a label that differs on every read (always "changed").
 * Each input is read once per run and kept: the runner asks only after the input's own node has finished.
 */
export class TrinoVersionReader implements VersionReader {
  private readonly versions = new Map<string, Promise<string>>();
  private connectors: Promise<Map<string, string>> | undefined;

  constructor(
    private readonly manifest: Manifest,
    private readonly query: Query,
    private readonly now: () => Date = () => new Date(),
    /** Lists a Hive table's S3 location; without it, Hive tables are versioned through Trino. */
    private readonly objects?: ObjectLister,
  ) {}

  versionOf(id: string): Promise<string> {
    let version = this.versions.get(id);
    if (version === undefined) {
      version = this.read(id);
      // A failed read is not kept: the next node asking tries again.
      version.catch(() => this.versions.delete(id));
      this.versions.set(id, version);
    }
    return version;
  }

  private async read(id: string): Promise<string> {
    const node = this.manifest.nodes[id] ?? this.manifest.sources[id];
    if (node === undefined || node.resource_type === "test") return "absent";
    const relation = node.relation;
    const connector = (await this.connectorsOf()).get(relation.catalog);
    try {
      if (connector === "iceberg") return await this.icebergVersion(relation);
      if (connector === "hive") return await this.hiveVersion(relation);
    } catch (error) {
      if (error instanceof TrinoQueryError && MISSING.has(error.errorName)) return "absent";
      throw error;
    }
    return `unversioned (${connector ?? "unknown"} connector), read at ${this.now().toISOString()}`;
  }

  private async icebergVersion(relation: Relation): Promise<string> {
    const refs = quoteRelation({ ...relation, identifier: `${relation.identifier}$refs` });
    const result = await this.query<{ snapshot_id: string | null }>(
      `SELECT CAST(snapshot_id AS varchar) AS snapshot_id FROM ${refs} WHERE name = 'main'`,
    );
    const id = result.rows[0]?.snapshot_id;
    return id ? `snapshot ${id}` : "no snapshot";
  }

  private async hiveVersion(relation: Relation): Promise<string> {
    const layout = this.objects ? await this.hiveLayout(relation) : undefined;
    if (this.objects && layout) {
      const registered = await this.registeredPartitions(relation, layout);
      try {
        const listed = [];
        for await (const object of this.objects.list(layout.bucket, layout.prefix)) listed.push(object);
        return hiveFilesVersion(layout, registered, listed);
      } catch {
        // No S3 access from here (credentials, endpoint): Trino, which reads the files, can still tell.
      }
    }
    return this.hiveVersionThroughTrino(relation);
  }

  private async hiveLayout(relation: Relation): Promise<HiveLayout | undefined> {
    const result = await this.query<Record<string, string>>(`SHOW CREATE TABLE ${quoteRelation(relation)}`);
    const text = Object.values(result.rows[0] ?? {})[0];
    return typeof text === "string" ? hiveLayoutOf(text) : undefined;
  }

  /** The registered partitions' values (metastore only: no file is read). */
  private async registeredPartitions(relation: Relation, layout: HiveLayout): Promise<Set<string>> {
    const columns = layout.partitionColumns;
    if (columns.length === 0) return new Set();
    const partitions = quoteRelation({ ...relation, identifier: `${relation.identifier}$partitions` });
    const result = await this.query<Record<string, string | null>>(
      `SELECT ${columns.map((c, i) => `CAST(${quoteIdentifier(c)} AS varchar) AS p${i}`).join(", ")} FROM ${partitions}`,
    );
    return new Set(result.rows.map((row) => partitionId(columns.map((_, i) => row[`p${i}`] ?? null))));
  }

  private async hiveVersionThroughTrino(relation: Relation): Promise<string> {
    const result = await this.query<{ files: number; newest: string | null }>(
      `SELECT count(DISTINCT ${quoteIdentifier("$path")}) AS files, ` +
        `CAST(max(${quoteIdentifier("$file_modified_time")}) AS varchar) AS newest FROM ${quoteRelation(relation)}`,
    );
    const row = result.rows[0];
    const files = Number(row?.files ?? 0);
    return files === 0 ? "0 files" : `${files} file${files === 1 ? "" : "s"}, newest ${row?.newest}`;
  }

  private connectorsOf(): Promise<Map<string, string>> {
    if (this.connectors === undefined) {
      const catalogs = [
        ...new Set(
          [...Object.values(this.manifest.nodes), ...Object.values(this.manifest.sources)].flatMap((n) =>
            n.resource_type === "test" ? [] : [n.relation.catalog],
          ),
        ),
      ];
      this.connectors = this.query<{ catalog_name: string; connector_name: string }>(
        `SELECT catalog_name, connector_name FROM system.metadata.catalogs WHERE catalog_name IN (${catalogs.map(quoteString).join(", ") || "''"})`,
      ).then((r) => new Map(r.rows.map((row) => [row.catalog_name, row.connector_name])));
      this.connectors.catch(() => {
        this.connectors = undefined;
      });
    }
    return this.connectors;
  }
}

const MISSING: ReadonlySet<string> = new Set(["TABLE_NOT_FOUND", "SCHEMA_NOT_FOUND", "CATALOG_NOT_FOUND"]);
