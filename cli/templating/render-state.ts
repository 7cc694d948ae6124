/**
 * What the helpers of one render need, passed as `@floe` in the Handlebars data frame (never through a
 * global): how to resolve refs and sources for this node, the vars and environment, and whether the model
 * is being rendered for an incremental run.
 */
export interface RenderState {
  /** The quoted relation (or ephemeral CTE name) for `{{ref "name"}}`. Throws a FloeError when unknown. */
  ref(name: string, packageName: string | undefined, version?: number): string;
  /** The quoted relation for `{{source "src" "table"}}`. */
  source(sourceName: string, tableName: string): string;
  /** Project vars (`--vars` over `floe_project.yml` vars). */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isIncremental: boolean;
  /**
   * The declared columns (yml, or a seed's CSV header) of the model, seed or source whose rendered relation
   * is `relation`; undefined when it is none of them or declares none. For floe_utils' star and friends.
   */
  columnsOf(relation: string): readonly { name: string; data_type?: string | undefined }[] | undefined;
}

export interface HelperOptions {
  readonly hash: Record<string, unknown>;
  readonly data?: { readonly floe?: RenderState };
  readonly name?: string;
  fn?(context: unknown): string;
}

export function stateOf(options: HelperOptions, helper: string): RenderState {
  const state = options.data?.floe;
  if (!state) throw new Error(`{{${helper}}} is not available here`);
  return state;
}

/** Splits a helper's arguments into positional values and the trailing Handlebars options object. */
export function splitArgs(args: readonly unknown[]): { params: unknown[]; options: HelperOptions } {
  const options = args.at(-1) as HelperOptions;
  return { params: args.slice(0, -1), options };
}
