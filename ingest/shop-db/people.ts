/**
 * The personal data the event stream never carries (a user's name and email), made up deterministically
 * from the run's seed and the user id: the same seed gives the same people in every run, and no draw is
 * taken from the simulation's PRNG (which would change every seed's event stream).
 */

const FIRST = [
  "Ada",
  "Alan",
  "Grace",
  "Linus",
  "Barbara",
  "Ken",
  "Margaret",
  "Dennis",
  "Frances",
  "Edsger",
  "Radia",
  "Donald",
  "Katherine",
  "John",
  "Hedy",
  "Tim",
  "Anita",
  "Guido",
  "Sophie",
  "Niklaus",
] as const;
const LAST = [
  "Lovelace",
  "Turing",
  "Hopper",
  "Torvalds",
  "Liskov",
  "Thompson",
  "Hamilton",
  "Ritchie",
  "Allen",
  "Dijkstra",
  "Perlman",
  "Knuth",
  "Johnson",
  "Backus",
  "Lamarr",
  "Berners-Lee",
  "Borg",
  "van Rossum",
  "Wilson",
  "Wirth",
] as const;
/** Reserved for documentation (RFC 2606): a generated address can never reach anyone. */
const DOMAINS = ["example.com", "example.org", "example.net"] as const;

/** FNV-1a, 32 bits: a fast, stable hash for deterministic choices (not for security). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A number in [0, 1) fixed by the seed and the text: a deterministic coin. */
export function unitOf(seed: number, text: string): number {
  return fnv1a(`${seed}:${text}`) / 4294967296;
}

const at = <T>(items: readonly T[], n: number): T => items[n % items.length] as T;

export interface Person {
  readonly fullName: string;
  readonly email: string;
}

/**
 * A user's name and first email. Some addresses are stored with capitals, as people type them: a mart's
 * email hash must be taken of `lower(trim(email))`.
 */
export function personOf(seed: number, userId: string): Person {
  const h = fnv1a(`${seed}:person:${userId}`);
  const first = at(FIRST, h);
  const last = at(LAST, h >>> 8);
  const number = userId.replace(/\D/g, "");
  const local = `${first}.${last.replace(/[^A-Za-z]/g, "")}${number}`;
  const email = `${(h >>> 16) % 4 === 0 ? local : local.toLowerCase()}@${at(DOMAINS, h >>> 20)}`;
  return { fullName: `${first} ${last}`, email };
}

/** The address a user changes to, their `change`-th change (1, 2, …): another domain, numbered. */
export function changedEmail(seed: number, userId: string, change: number): string {
  const { email } = personOf(seed, userId);
  const local = email.slice(0, email.indexOf("@")).toLowerCase();
  const h = fnv1a(`${seed}:email:${userId}:${change}`);
  return `${local}.${change}@${at(DOMAINS, h)}`;
}
