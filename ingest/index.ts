/** Ingest's programmatic API: contracts, the shop generator and its ledger, the producer, the sink and the ingestion API. */
export {
  cdcTableOf,
  cdcTopicName,
  SHOP_TABLES,
  type ShopTable,
  shopCdcTopics,
} from "./cdc/cdc-topics.js";
export { type Change, type ChangeDecode, decodeChange, parseChange } from "./cdc/change-envelope.js";
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
export { type GeneratedShop, type GenerateOptions, generateShop } from "./generator.js";
export { createKey, readKeys, revokeKey } from "./http/api-keys.js";
export { type IngestApi, type IngestApiEvent, type IngestApiOptions, startIngestApi } from "./http/server.js";
export {
  ContractViolation,
  defaultTopicNames,
  PUBLISH_RETRY,
  type PublishOptions,
  publishShop,
  publishShopCounts,
  publishShopRun,
  ShopProducer,
  type TopicNames,
  topicName,
} from "./producer.js";
export { type Checkpoint, type CheckpointStore, fileCheckpointStore } from "./publish-checkpoint.js";
export {
  type PublishEvent,
  PublishFailed,
  type PublishIO,
  type PublishOutcome,
  type PublishPhase,
  publishStream,
  publishStreamCounts,
} from "./publish-loop.js";
export { RAW_COLUMNS, type RawColumn, TRINO_TYPES } from "./raw-schema.js";
export {
  DEFAULT_RAW_TARGET,
  type RawTableTarget,
  registerRawPartition,
  registerRawTables,
  type TrinoQuery,
} from "./raw-tables.js";
export { type RowMutation, renderMutations } from "./shop-db/mutations.js";
export { DEFAULT_SHOP_DB_URL, pgShopDb, type ShopDbWriter, shopDbUrl } from "./shop-db/pg-writer.js";
export { type PublishedEvent, type ShopDbCounts, ShopDbFold } from "./shop-db/shop-db-fold.js";
export {
  foldLedger,
  type LedgerCounts,
  LedgerCountsFold,
  type LedgerEntry,
  LedgerFold,
  type LedgerHeader,
  type LedgerOrder,
  ledgerEntryOfRecord,
  type MalformedKind,
  type ShopLedger,
} from "./shop-ledger.js";
export { type ShopEvent, ShopSimulation } from "./shop-simulation.js";
export { SINK_DEFAULTS } from "./sink/defaults.js";
export {
  type DurableFile,
  objectKey,
  runSink,
  type SinkEvent,
  type SinkOptions,
  type SinkSummary,
} from "./sink.js";
export { type GeneratedMessage, ledgerEntryOf, mixStream } from "./stream-mixer.js";
