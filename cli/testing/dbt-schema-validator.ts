import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "../artifacts/fixtures/dbt-schemas");

/**
 * A validator for one of dbt's artifact schemas in cli/artifacts/fixtures/dbt-schemas/ (see its README):
 * returns ajv's errors as lines, none when the document is valid.
 */
export function dbtSchemaValidator(
  file: "manifest-v12.json" | "run-results-v6.json",
): (data: unknown) => string[] {
  // dbt's schemas use keywords ajv's strict mode rejects (e.g. `title` next to `$ref`); they are valid 2020-12.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join(fixtures, file), "utf8")));
  return (data) =>
    validate(data)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}
