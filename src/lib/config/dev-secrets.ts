import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const devSecretsSchema = z.object({ tokenEncryptionKeys: z.string().min(1), betterAuthSecret: z.string().min(32) });
export type DevSecrets = z.infer<typeof devSecretsSchema>;

/**
 * Development only: secrets generated once into `.data/dev-secrets.json` (git-ignored), so a
 * fresh clone runs with no set-up while tokens stay decryptable across restarts.
 */
export function loadDevSecrets(dataDir: string): DevSecrets {
  const file = path.join(dataDir, "dev-secrets.json");
  if (existsSync(file)) {
    const parsed = devSecretsSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (parsed.success) return parsed.data;
  }
  const secrets: DevSecrets = {
    tokenEncryptionKeys: `dev1:${randomBytes(32).toString("base64")}`,
    betterAuthSecret: randomBytes(32).toString("base64url"),
  };
  mkdirSync(dataDir, { recursive: true });
  try {
    // "wx": when two processes start together (app and worker), the first write wins.
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return devSecretsSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    throw error;
  }
  console.warn(
    `[socialflow] Generated development secrets in ${file}. ` +
      "Set TOKEN_ENCRYPTION_KEYS and BETTER_AUTH_SECRET for anything but local development.",
  );
  return secrets;
}
