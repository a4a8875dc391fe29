/** Longest display name we keep; the providers' own limits are lower (S38). */
export const MAX_DISPLAY_NAME = 64;
const MAX_URL = 2048;

// Bidi overrides/isolates (Trojan Source, CVE-2021-42574), C0/C1 controls, zero-width joiners.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Makes a provider display name safe to store and show: no control or direction-override
 * characters, clamped by code points. HTML escaping is React's job at render time.
 */
export function cleanDisplayName(value: string, fallback: string): string {
  const cleaned = value.normalize("NFC").replace(UNSAFE_CHARS, "").trim();
  const clamped = Array.from(cleaned).slice(0, MAX_DISPLAY_NAME).join("");
  return clamped || fallback;
}

/**
 * A handle as the card shows it (`@name`), or undefined when the provider's value is not one:
 * letters, digits, `_`, `.` and `-` only (TikTok usernames use the first four; YouTube handles
 * add `-`), at most 64 characters. Nothing else is stored, so nothing else can be shown.
 */
export function cleanHandle(value: string | undefined): string | undefined {
  const name = value?.normalize("NFC").trim().replace(/^@/, "");
  return name && /^[\p{L}\p{N}_.-]{1,64}$/u.test(name) ? `@${name}` : undefined;
}

/**
 * Keeps an avatar URL only if it is https (S38), or served by the configured provider origin
 * itself (a local sandbox on http). Anything else is dropped, and the UI shows initials.
 */
export function cleanAvatarUrl(value: string | undefined, trustedOrigin?: string): string | undefined {
  if (!value || value.length > MAX_URL) return undefined;
  try {
    const url = new URL(value);
    if (url.username || url.password) return undefined;
    if (url.protocol === "https:") return url.toString();
    if (trustedOrigin && url.origin === new URL(trustedOrigin).origin) return url.toString();
    return undefined;
  } catch {
    return undefined;
  }
}
