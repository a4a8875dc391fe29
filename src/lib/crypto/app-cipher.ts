import { getConfig } from "@/lib/config/config";
import { parseKeyring } from "./keyring";
import { createTokenCipher, type TokenCipher } from "./token-cipher";

const holder = globalThis as unknown as { __socialflowCipher?: TokenCipher };

/** The process-wide token cipher built from `TOKEN_ENCRYPTION_KEYS`. */
export function getTokenCipher(): TokenCipher {
  holder.__socialflowCipher ??= createTokenCipher(parseKeyring(getConfig().tokenEncryptionKeys));
  return holder.__socialflowCipher;
}
