import type { RenderFailure } from "./render-project.js";

/** What `floe validate` says about one model or test, and the events its log is written from. */
export type ValidationStatus = "ok" | "error" | "not checked";

export interface NodeValidation {
  readonly uniqueId: string;
  readonly name: string;
  readonly resourceType: "model" | "test";
  readonly status: ValidationStatus;
  /** For "not checked": why. For errors: Trino's message. */
  readonly message?: string;
  readonly errorCode?: string;
  /** `models/x.sql:12:5` (and the compiled line) where the error is. */
  readonly location?: string;
  readonly queryId?: string;
  readonly inlined: readonly string[];
  /** Seconds. */
  readonly executionTime: number;
}

export type ValidateEvent =
  | {
      readonly code: "VALIDATE_STARTED";
      readonly rendered: number;
      readonly renderFailures: readonly RenderFailure[];
      readonly total: number;
      readonly engine: string | undefined;
    }
  | {
      readonly code: "NODE_VALIDATED";
      readonly index: number;
      readonly total: number;
      readonly result: NodeValidation;
    }
  | { readonly code: "ENGINE_UNAVAILABLE"; readonly message: string }
  | {
      readonly code: "VALIDATE_FINISHED";
      readonly renderFailures: readonly RenderFailure[];
      readonly results: readonly NodeValidation[];
      readonly elapsedSeconds: number;
    };
