/**
 * `npm run keys:rotate`: re-encrypts every stored token under the primary key of
 * TOKEN_ENCRYPTION_KEYS (docs/security.md S28). Safe to run while the app is serving and safe to run
 * again after an interruption. Exit code: 0 all rows moved, 1 some rows could not be moved
 * (listed by id), 2 the command could not run (configuration, database).
 *
 * Prints ids, counts and key ids only — never a token, a ciphertext or a key.
 */
import { loadConfig } from "../src/lib/config/config";
import { createTokenCipher } from "../src/lib/crypto/token-cipher";
import { parseKeyring } from "../src/lib/crypto/keyring";
import { reencryptAll, type ReencryptProgress, type ReencryptSummary } from "../src/lib/crypto/reencrypt";
import { openDatabase, type DatabaseHandle } from "../src/lib/db/client";
import { migrateDatabase } from "../src/lib/db/migrate";

export type KeysRotateOptions = {
  env?: NodeJS.ProcessEnv;
  /** Where development secrets live (as for the app). */
  dataDir?: string;
  batchSize?: number;
  out?: (line: string) => void;
  err?: (line: string) => void;
};

/** Failed ids printed before the list is cut short (the summary still counts them all). */
const MAX_LISTED_FAILURES = 100;

export function formatProgress(p: ReencryptProgress): string {
  const extra = p.conflicts > 0 ? `, ${p.conflicts} conflicts` : "";
  return `${p.table}: ${p.scanned}/${p.total} scanned, ${p.rewritten} rewritten, ${p.skipped} already current (${p.failed} failed${extra})`;
}

/** The whole command, kept out of the entry point so tests can run it without spawning. Returns the exit code. */
export async function keysRotate(options: KeysRotateOptions = {}): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = options.err ?? ((line: string) => process.stderr.write(`${line}\n`));

  let handle: DatabaseHandle | undefined;
  let summary: ReencryptSummary;
  try {
    const config = loadConfig(options.env ?? process.env, options.dataDir);
    const keyring = parseKeyring(config.tokenEncryptionKeys);
    const cipher = createTokenCipher(keyring);
    const others = [...keyring.byKid.keys()].filter((kid) => kid !== keyring.primary.kid);
    out(`Primary key: ${keyring.primary.kid}; older keys still accepted: ${others.length > 0 ? others.join(", ") : "none"}`);

    handle = await openDatabase({ url: config.databaseUrl, pgliteDir: config.pgliteDataDir, preparedStatements: config.databasePreparedStatements });
    out(`Database: ${handle.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : "PGlite"}`);
    await migrateDatabase(handle);
    summary = await reencryptAll(handle.db, cipher, {
      batchSize: options.batchSize,
      onProgress: (p) => out(formatProgress(p)),
    });
  } catch (error) {
    err(`keys:rotate could not run: ${describeError(error)}`);
    return 2;
  } finally {
    await handle?.close().catch(() => {});
  }

  const rewritten = summary.tables.reduce((n, t) => n + t.rewritten, 0);
  const failed = summary.tables.reduce((n, t) => n + t.failed, 0);
  const conflicts = summary.tables.reduce((n, t) => n + t.conflicts, 0);
  out(`Done: ${rewritten} rows re-encrypted, ${failed} failed, ${conflicts} conflicts.`);
  if (summary.ok) return 0;

  for (const f of summary.failures.slice(0, MAX_LISTED_FAILURES)) {
    const why = f.reason === "decrypt_failed" ? `did not decrypt (${f.fields.join(", ")})` : "kept changing underneath; run again";
    err(`  ${f.table} id=${f.id}: ${why}`);
  }
  if (summary.failures.length > MAX_LISTED_FAILURES) err(`  … and ${summary.failures.length - MAX_LISTED_FAILURES} more`);
  err(
    "These rows were left untouched. A row that does not decrypt was written under a key that is no longer " +
      "in TOKEN_ENCRYPTION_KEYS (put it back after the primary and run again) or was altered; " +
      "its account must be reconnected.",
  );
  return 1;
}

/**
 * Configuration and keyring errors are written never to quote secrets. Drizzle's query errors
 * quote the SQL parameters (ciphertexts), so only the driver's own message underneath is shown.
 */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return "unknown error";
  if (error.message.startsWith("Failed query") && error.cause instanceof Error) return `${error.cause.name}: ${error.cause.message}`;
  return `${error.name}: ${error.message}`;
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && /keys-rotate\.[cm]?[jt]s$/.test(entry);
}

if (isEntryPoint()) {
  void keysRotate().then((code) => {
    process.exitCode = code;
  });
}
