/** The `to:` of a relationships test: `stg_customers`, `ref('stg_customers')` or `source('shop', 'customers')`. */
export type RelationshipTarget =
  | { readonly kind: "ref"; readonly name: string }
  | { readonly kind: "source"; readonly source: string; readonly table: string };

const REF = /^ref\(\s*['"]([^'"]+)['"]\s*\)$/;
const SOURCE = /^source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)$/;

export function parseRelationshipTarget(to: string): RelationshipTarget {
  const text = to.trim();
  const ref = REF.exec(text);
  if (ref) return { kind: "ref", name: ref[1] ?? "" };
  const source = SOURCE.exec(text);
  if (source) return { kind: "source", source: source[1] ?? "", table: source[2] ?? "" };
  return { kind: "ref", name: text };
}
