/**
 * The Kafka Connect standalone worker's and the Apache Iceberg sink connector's properties for
 * `npm run bench:sink-peers`, as each project documents them (Kafka's `connect-standalone.properties`,
 * apache/iceberg `docs/docs/kafka-connect.md`). Pure: the bench writes them to files.
 */

export interface WorkerSettings {
  readonly bootstrapServers: string;
  /** Its own REST port: the stack's Connect (Debezium) has 8083. */
  readonly restPort: number;
  readonly pluginPath: string;
  readonly offsetsFile: string;
}

export interface IcebergSinkSettings {
  /** Connector name; Connect derives the sink's consumer group from it (`connect-<name>`). */
  readonly name: string;
  /** Source topic → Iceberg table (namespace.table) it lands in. */
  readonly tables: readonly { readonly topic: string; readonly table: string }[];
  readonly dlqTopic: string;
  readonly controlTopic: string;
  readonly controlGroupPrefix: string;
  readonly commitIntervalMs: number;
  readonly catalogUri: string;
  readonly s3Endpoint: string;
  readonly s3AccessKey: string;
  readonly s3SecretKey: string;
}

export function workerProperties(w: WorkerSettings): Record<string, string> {
  return {
    "bootstrap.servers": w.bootstrapServers,
    listeners: `http://127.0.0.1:${w.restPort}`,
    "plugin.path": w.pluginPath,
    "offset.storage.file.filename": w.offsetsFile,
    // Every plugin here has a ServiceLoader manifest (Connect says so at start): skip the class-path scan.
    "plugin.discovery": "service_load",
    // The sink ignores Connect's offset commits, but with the default 60 s an idle task answers the
    // coordinator only once a minute and every commit times out (apache/iceberg#17811).
    "offset.flush.interval.ms": "1000",
    "key.converter": "org.apache.kafka.connect.storage.StringConverter",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter.schemas.enable": "false",
  };
}

/** Iceberg's static routing matches the whole value against the regex: escape the topic's characters. */
export function literalRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function icebergSinkProperties(s: IcebergSinkSettings): Record<string, string> {
  const props: Record<string, string> = {
    name: s.name,
    "connector.class": "org.apache.iceberg.connect.IcebergSinkConnector",
    "tasks.max": "1",
    topics: s.tables.map((t) => t.topic).join(","),
    // Schemaless JSON with malformed messages: without these the JsonConverter fails the task on the first
    // bad record. The DLQ takes what the converter rejects.
    "errors.tolerance": "all",
    "errors.deadletterqueue.topic.name": s.dlqTopic,
    "errors.deadletterqueue.topic.replication.factor": "1",
    "errors.deadletterqueue.context.headers.enable": "true",
    // The topic routes each record to its table (multi-table fan-out by `route-field`); partition, offset
    // and Kafka timestamp come along like Floe's `_kafka_*` columns, so duplicates can be counted.
    transforms: "kafka",
    "transforms.kafka.type": "org.apache.kafka.connect.transforms.InsertField$Value",
    "transforms.kafka.topic.field": "_kafka_topic",
    "transforms.kafka.partition.field": "_kafka_partition",
    "transforms.kafka.offset.field": "_kafka_offset",
    "transforms.kafka.timestamp.field": "_kafka_timestamp",
    "iceberg.tables": s.tables.map((t) => t.table).join(","),
    "iceberg.tables.route-field": "_kafka_topic",
    "iceberg.tables.auto-create-enabled": "true",
    "iceberg.tables.evolve-schema-enabled": "true",
    // event_time is a JSON string to the sink (no day() transform on it): partition like Floe's
    // event_type level.
    "iceberg.tables.default-partition-by": "event_type",
    "iceberg.control.topic": s.controlTopic,
    "iceberg.control.group-id-prefix": s.controlGroupPrefix,
    "iceberg.control.commit.interval-ms": String(s.commitIntervalMs),
    "iceberg.catalog.type": "rest",
    "iceberg.catalog.uri": s.catalogUri,
    "iceberg.catalog.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
    // The local REST catalog vends no credentials: S3FileIO gets them here, path-style for S3Proxy.
    "iceberg.catalog.s3.endpoint": s.s3Endpoint,
    "iceberg.catalog.s3.path-style-access": "true",
    "iceberg.catalog.s3.access-key-id": s.s3AccessKey,
    "iceberg.catalog.s3.secret-access-key": s.s3SecretKey,
    "iceberg.catalog.client.region": "us-east-1",
  };
  for (const t of s.tables) props[`iceberg.table.${t.table}.route-regex`] = literalRegex(t.topic);
  return props;
}

/** A .properties file: `key=value` lines, with the characters java.util.Properties treats specially escaped. */
export function propertiesText(props: Record<string, string>): string {
  const escaped = (text: string, isKey: boolean) =>
    text
      .replace(/\\/g, "\\\\")
      .replace(/\n/g, "\\n")
      .replace(isKey ? /[=: #!]/g : /^[ #!]/g, (c) => `\\${c}`);
  return `${Object.entries(props)
    .map(([k, v]) => `${escaped(k, true)}=${escaped(v, false)}`)
    .join("\n")}\n`;
}
