import { randomToken } from "./pkce";

/**
 * The browser-binding cookie ties a state to the browser that started the flow (RFC 9700
 * §4.7.1, docs/security.md S8). HttpOnly; SameSite=Lax so it comes back on TikTok's top-level
 * redirect; scoped to the OAuth routes. One value per browser, so two tabs share it (S3).
 */
export const BINDING_COOKIE = "sf_oauth_binding";
const MAX_AGE_S = 60 * 60 * 24;

export function readBinding(cookieHeader: string | null): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === BINDING_COOKIE) {
      const value = rest.join("=");
      return /^[A-Za-z0-9_-]{43,64}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export function newBinding(): string {
  return randomToken(32);
}

export function bindingCookie(value: string, secure: boolean) {
  return {
    name: BINDING_COOKIE,
    value,
    httpOnly: true,
    sameSite: "lax" as const,
    secure,
    path: "/api/oauth",
    maxAge: MAX_AGE_S,
  };
}
