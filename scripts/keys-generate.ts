/**
 * `npm run keys:generate`: prints a new TOKEN_ENCRYPTION_KEYS entry. The key line goes alone to
 * stdout (so it can be piped or captured) and the hint to stderr.
 */
import { generateKey } from "../src/lib/crypto/keyring";

export type KeysGenerateOutput = { line: string; hint: string };

/** The script's whole logic, kept out of the entry point so tests can call it without spawning. */
export function keysGenerate(now: Date = new Date()): KeysGenerateOutput {
  const { kid, line } = generateKey(now);
  const hint =
    `Prepend it to TOKEN_ENCRYPTION_KEYS so it becomes the primary: TOKEN_ENCRYPTION_KEYS="${kid}:<key above>,<current keys>" ` +
    "(keep the old keys after it until `npm run keys:rotate` has re-encrypted every row).";
  return { line, hint };
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && /keys-generate\.[cm]?[jt]s$/.test(entry);
}

if (isEntryPoint()) {
  const { line, hint } = keysGenerate();
  process.stdout.write(`${line}\n`);
  process.stderr.write(`${hint}\n`);
}
