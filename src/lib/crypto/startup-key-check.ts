import { getConfig } from "@/lib/config/config";
import { getDb } from "@/lib/db";
import { getLogger } from "@/lib/log/logger";
import { parseKeyring } from "./keyring";
import { checkStoredKeyIds, type StoredKeyReport } from "./stored-key-ids";

/**
 * The one start-up check of stored key ids, run by the web server (server-runtime.ts) and by
 * `npm run worker` alike: reports key ids the keyring lacks, and in production throws.
 */
export async function checkKeysAtStartup(): Promise<StoredKeyReport> {
  const config = getConfig();
  const keyring = parseKeyring(config.tokenEncryptionKeys);
  return checkStoredKeyIds({
    db: await getDb(),
    keyIds: new Set(keyring.byKid.keys()),
    production: config.nodeEnv === "production",
    logger: getLogger(),
  });
}
