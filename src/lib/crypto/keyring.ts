/**
 * TOKEN_ENCRYPTION_KEYS: a comma list of `kid:base64key` entries holding 32-byte AES-256 keys.
 * The first entry is the primary (all new encryptions); the others stay only so rows written
 * under them still decrypt until `npm run keys:rotate` has moved them to the primary.
 */
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { z } from "zod";
import { KeyringError } from "./errors";
import { fromBase64OrUrlStrict } from "./strings";

export const KEY_BYTES = 32;

/** Kept short and free of "." and ":" because it is embedded in every ciphertext envelope. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export type KeyringEntry = { readonly kid: string; readonly key: Buffer };

export type Keyring = {
  readonly primary: KeyringEntry;
  /** Every key by id, the primary included. */
  readonly byKid: ReadonlyMap<string, Buffer>;
};

const HOW_TO_FIX = "Generate a key with `npm run keys:generate` and put its line first in TOKEN_ENCRYPTION_KEYS.";

/**
 * One entry. Messages never quote the key, and quote the kid only once it is valid: an invalid
 * "kid" may well be a pasted key (e.g. `key:kid` reversed).
 */
const entrySchema = z.string().transform((entry, ctx): KeyringEntry => {
  const fail = (message: string): never => {
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  const trimmed = entry.trim();
  if (trimmed === "") return fail("is empty (stray comma?)");
  const colon = trimmed.indexOf(":");
  if (colon < 0) return fail("must look like `kid:base64key` (no ':' found)");
  const kid = trimmed.slice(0, colon);
  if (!KID_PATTERN.test(kid)) return fail("has an invalid kid: use 1-32 characters from A-Z a-z 0-9 _ -");
  const key = fromBase64OrUrlStrict(trimmed.slice(colon + 1).trim());
  if (key === null) return fail(`(kid "${kid}") has a key that is not valid base64 or base64url`);
  if (key.length !== KEY_BYTES) {
    return fail(`(kid "${kid}") has a key of ${key.length} bytes; it must decode to exactly ${KEY_BYTES} bytes`);
  }
  return { kid, key };
});

const keyringSchema = z
  .string()
  .transform((value) => (value.trim() === "" ? [] : value.split(",")))
  .pipe(
    z
      .array(entrySchema)
      .min(1, "is empty: at least one `kid:base64key` entry is required")
      .superRefine((entries, ctx) => {
        const seen = new Set<string>();
        entries.forEach(({ kid }, index) => {
          if (seen.has(kid)) ctx.addIssue({ code: "custom", path: [index], message: `(kid "${kid}") repeats a kid` });
          seen.add(kid);
        });
      }),
  );

function describe(issue: z.core.$ZodIssue): string {
  const index = issue.path[0];
  return typeof index === "number" ? `entry ${index + 1} ${issue.message}` : issue.message;
}

/**
 * Parses and validates TOKEN_ENCRYPTION_KEYS. Throws KeyringError listing every bad entry; the
 * ZodError is not attached as `cause` so nothing downstream can dig the input back out.
 */
export function parseKeyring(value: string): Keyring {
  const result = keyringSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map(describe).join("; ");
    throw new KeyringError(`TOKEN_ENCRYPTION_KEYS is invalid: ${problems}. ${HOW_TO_FIX}`);
  }
  const [primary] = result.data;
  if (primary === undefined) throw new KeyringError(`TOKEN_ENCRYPTION_KEYS is invalid: is empty. ${HOW_TO_FIX}`);
  return redacted({ primary, byKid: new Map(result.data.map((entry) => [entry.kid, entry.key])) });
}

/**
 * A keyring that ends up in a log line (console.log, pino's JSON.stringify) shows its kids only.
 * Non-enumerable, so equality checks and spreads are unaffected.
 */
function redacted(keyring: Keyring): Keyring {
  const summary = () => ({ primary: keyring.primary.kid, kids: [...keyring.byKid.keys()] });
  Object.defineProperty(keyring, "toJSON", { value: summary, enumerable: false });
  Object.defineProperty(keyring, inspect.custom, { value: () => `Keyring ${inspect(summary())}`, enumerable: false });
  return keyring;
}

/**
 * A fresh key and its TOKEN_ENCRYPTION_KEYS line. kid = `k` + UTC yyyymmdd + "-" + 6 random hex chars:
 * sortable by age at a glance, and two keys made the same day do not collide.
 */
export function generateKey(now: Date = new Date()): { kid: string; line: string } {
  const day = now.toISOString().slice(0, 10).replace(/-/g, "");
  const kid = `k${day}-${randomBytes(3).toString("hex")}`;
  return { kid, line: `${kid}:${randomBytes(KEY_BYTES).toString("base64")}` };
}
