/** Ingest's programmatic API: contracts, the shop generator and its ledger, the producer and the sink. */
export {
  CONTRACTS,
  DLQ_TOPIC,
  decodeMessage,
  EVENT_TYPES,
  MAX_EVENT_BYTES,
  type ParsedEvent,
  type ParseResult,
  parseEvent,
  TOPIC_KINDS,
  type TopicKind,
  topicKindOf,
} from "./contracts.js";
export { type Endpoints, endpointsFromEnv, trinoFromEnv } from "./endpoints.js";
export {
  type GeneratedMessage,
  type GenerateOptions,
  generateShop,
  type LedgerOrder,
  type MalformedKind,
  type ShopLedger,
} from "./generator.js";
export {
  ContractViolation,
  defaultTopicNames,
  type PublishOptions,
  publishShop,
  ShopProducer,
  type TopicNames,
  topicName,
} from "./producer.js";
export { RAW_COLUMNS, type RawColumn, TRINO_TYPES } from "./raw-schema.js";
export {
  DEFAULT_RAW_TARGET,
  type RawTableTarget,
  registerRawPartition,
  registerRawTables,
  type TrinoQuery,
} from "./raw-tables.js";
export { SINK_DEFAULTS } from "./sink/defaults.js";
export {
  type DurableFile,
  objectKey,
  runSink,
  type SinkEvent,
  type SinkOptions,
  type SinkSummary,
} from "./sink.js";
