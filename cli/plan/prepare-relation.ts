import type { ModelPlanInput } from "./model-plan-input.js";
import type { RelationType, Step } from "./steps.js";

/** Steps before creating a `kind` relation: the schema if missing; dropping a relation of another kind. */
export function prepare(
  input: Pick<ModelPlanInput, "relation" | "state" | "locationRoot">,
  kind: RelationType,
): Step[] {
  const { relation, state } = input;
  if (state.kind === "absent" && !state.schemaExists) {
    return [
      {
        kind: "create-schema",
        catalog: relation.catalog,
        schema: relation.schema,
        location:
          input.locationRoot === undefined
            ? undefined
            : `${input.locationRoot.replace(/\/+$/, "")}/${relation.schema}`,
      },
    ];
  }
  // A view cannot be replaced by a table (or the reverse) in one statement: drop the other kind first.
  if (state.kind !== "absent" && state.kind !== kind) {
    return [{ kind: "drop-relation", relation, relationType: state.kind }];
  }
  return [];
}
