import { getConfig } from "@/lib/config/config";
import { parseKeyring } from "./keyring";
import { createTokenCipher, type TokenCipher } from "./token-cipher";

import { processSingleton } from "@/lib/process-registry";

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    cipher: TokenCipher;
  }
}

/** The process-wide token cipher built from `TOKEN_ENCRYPTION_KEYS`. */
export function getTokenCipher(): TokenCipher {
  return processSingleton("cipher", () => createTokenCipher(parseKeyring(getConfig().tokenEncryptionKeys)));
}
