import { baseColumnsOf } from "./cdc-topics.js";

/**
 * The row columns a CDC topic's files have ever held, kept durably as one empty object per column under
 * `<prefix><topic>/_columns/<name>` (Trino ignores the `_` folder: it is no `event_date=` partition).
 *
 * Why objects rather than only `ALTER TABLE … ADD COLUMN`: the marker is written before the first file that
 * carries the column, so a restart between that file's upload and the ALTER (or a sink run with
 * `--no-register`) still finds the column when registration next lists the markers. Each marker is written
 * with `If-None-Match: *`, so writers racing on one column agree, and nothing is ever rewritten.
 */

/** The object store as the markers use it (the sink passes S3; tests a recording fake). */
export interface MarkerStore {
  /** Keys under a prefix. */
  list(prefix: string): Promise<string[]>;
  /** Writes an empty object unless the key exists (an existing key is success). */
  putIfAbsent(key: string): Promise<void>;
}

export const markerPrefix = (prefix: string, topic: string) => `${prefix}${topic}/_columns/`;

export class ColumnMarkers {
  /** Topic → the columns known to have a marker (listed once, then grown as markers are written). */
  private readonly known = new Map<string, Promise<Set<string>>>();

  constructor(
    private readonly store: MarkerStore,
    private readonly prefix: string,
    /** Called with the columns a topic gained (their markers are durable): the table must get them. */
    private readonly onNewColumns: (topic: string, columns: readonly string[]) => void = () => {},
  ) {}

  /** Every row column a topic's files hold beyond its table's base columns, from the markers. */
  async columns(topic: string): Promise<string[]> {
    return [...(await this.knownOf(topic))];
  }

  /** Makes sure each column a file is about to hold has its marker (before the file is uploaded). */
  async ensure(topic: string, columns: readonly string[]): Promise<void> {
    const base = new Set(baseColumnsOf(topic));
    const known = await this.knownOf(topic);
    const added: string[] = [];
    for (const column of columns) {
      if (base.has(column) || known.has(column)) continue;
      await this.store.putIfAbsent(`${markerPrefix(this.prefix, topic)}${encodeURIComponent(column)}`);
      known.add(column);
      added.push(column);
    }
    if (added.length > 0) this.onNewColumns(topic, added);
  }

  private knownOf(topic: string): Promise<Set<string>> {
    let known = this.known.get(topic);
    if (!known) {
      const prefix = markerPrefix(this.prefix, topic);
      known = this.store
        .list(prefix)
        .then((keys) => new Set(keys.map((key) => decodeURIComponent(key.slice(prefix.length)))));
      // A failed listing is tried again by the next caller rather than remembered.
      known.catch(() => this.known.delete(topic));
      this.known.set(topic, known);
    }
    return known;
  }
}
