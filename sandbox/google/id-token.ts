/**
 * ID tokens (https://developers.google.com/identity/openid-connect/openid-connect#obtainuserinfo):
 * an RS256 JWT from `https://accounts.google.com` with `aud`/`azp` = the client id, `sub`, and
 * `email`/`email_verified`, `name`/`picture`, `hd` as the granted scopes allow. The key is made per
 * process on first use; its public half is served at /oauth2/v3/certs (Google's JWKS path).
 */
import { createHash, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from "node:crypto";
import type { Scope, SeedAccount } from "./types";

export const ISSUER = "https://accounts.google.com";

let signingKey: { key: KeyObject; kid: string; jwk: JsonWebKey } | undefined;

function key(): { key: KeyObject; kid: string; jwk: JsonWebKey } {
  if (signingKey === undefined) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = publicKey.export({ format: "jwk" });
    const kid = createHash("sha256").update(String(jwk.n)).digest("hex").slice(0, 40);
    signingKey = { key: privateKey, kid, jwk: { ...jwk, kid, alg: "RS256", use: "sig" } };
  }
  return signingKey;
}

export function jwks(): { keys: JsonWebKey[] } {
  return { keys: [key().jwk] };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

export function idToken(input: {
  clientId: string;
  account: SeedAccount;
  scopes: ReadonlySet<Scope>;
  accessToken: string;
  nonce: string | undefined;
  nowMs: number;
  pictureUrl: string;
}): string {
  const { key: privateKey, kid } = key();
  const iat = Math.floor(input.nowMs / 1000);
  // at_hash: left half of SHA-256 of the access token (OpenID Connect Core §3.1.3.6).
  const atHash = createHash("sha256").update(input.accessToken).digest().subarray(0, 16).toString("base64url");
  const claims: Record<string, unknown> = { iss: ISSUER, azp: input.clientId, aud: input.clientId, sub: input.account.sub, at_hash: atHash };
  if (input.account.hd !== undefined) claims.hd = input.account.hd;
  if (input.scopes.has("https://www.googleapis.com/auth/userinfo.email")) {
    claims.email = input.account.email;
    claims.email_verified = true;
  }
  if (input.nonce !== undefined) claims.nonce = input.nonce;
  if (input.scopes.has("https://www.googleapis.com/auth/userinfo.profile")) {
    claims.name = input.account.name;
    claims.picture = input.pictureUrl;
    const [given, ...family] = input.account.name.split(" ");
    claims.given_name = given;
    if (family.length > 0) claims.family_name = family.join(" ");
  }
  claims.iat = iat;
  claims.exp = iat + 3600;
  const signingInput = `${b64({ alg: "RS256", kid, typ: "JWT" })}.${b64(claims)}`;
  const signature = sign("sha256", Buffer.from(signingInput), privateKey).toString("base64url");
  return `${signingInput}.${signature}`;
}
