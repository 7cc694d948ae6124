/**
 * Colour on a terminal only. The usual conventions, in Node's precedence: `FORCE_COLOR` (any value but
 * `0`/`false`) turns it on even in a pipe or CI log, `NO_COLOR` (non-empty, no-color.org) turns it off,
 * otherwise colour when stdout is a TTY and `TERM` is not `dumb`.
 */
export function useColour(io: {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdoutIsTTY?: boolean;
}): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return false;
  return io.stdoutIsTTY === true && io.env.TERM !== "dumb";
}

export interface Paint {
  readonly green: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly dim: (text: string) => string;
}

const ansi = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const plain = (text: string) => text;

export function paint(colour: boolean): Paint {
  return colour
    ? { green: ansi(32), red: ansi(31), yellow: ansi(33), dim: ansi(2) }
    : { green: plain, red: plain, yellow: plain, dim: plain };
}
