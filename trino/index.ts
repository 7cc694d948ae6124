export { cancelOnSigint } from "./cancel-on-sigint.js";
export {
  type Column,
  createTrinoConnection,
  type QueryOptions,
  type QueryProgress,
  type QueryResult,
  type TrinoConnection,
  type TrinoConnectionOptions,
} from "./connection.js";
export {
  informationSchema,
  quoteIdentifier,
  quoteLiteral,
  quoteRelation,
  quoteSchema,
  quoteString,
  type Relation,
  stringArray,
} from "./dialect.js";
export { type SqlPosition, TrinoConnectionError, TrinoQueryError } from "./errors.js";
