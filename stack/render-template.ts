/**
 * Fills `{{name}}` placeholders of a repo-owned config file. Pure; an unknown placeholder is an error so a
 * typo in a config never silently reaches a service.
 */
export function renderTemplate(
  text: string,
  values: Readonly<Record<string, string | number>>,
  file: string,
): string {
  return text.replace(/\{\{\s*([A-Za-z][\w]*)\s*\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) {
      throw new Error(`${file}: unknown placeholder {{${key}}} (known: ${Object.keys(values).join(", ")})`);
    }
    return String(value);
  });
}

/** Parses KEY=VALUE lines (comments and blank lines ignored), as docker-compose env files are written. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    env[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return env;
}

/** Reads Java properties lines as `-Dkey=value` arguments (how Trino's launcher passes node.properties). */
export function propertiesToSystemProperties(text: string): string[] {
  return Object.entries(parseEnvFile(text)).map(([k, v]) => `-D${k}=${v}`);
}

/** jvm.config: one JVM option per line, `#` comments. */
export function parseJvmConfig(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}
