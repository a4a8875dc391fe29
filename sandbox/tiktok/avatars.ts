/**
 * Offline avatars: GET /avatars/<openId>.svg (or /avatars/<n>.svg, n = 1-based seed index).
 * The consent page uses them, and `avatarBaseUrl` can point user info at them.
 */
import type { SeedUser } from "./types";

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.slice(0, 2).map((p) => p[0] ?? "");
  return (letters.join("") || "?").toUpperCase();
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function avatarSvg(user: SeedUser): string {
  const text = escapeXml(initials(user.displayName));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128" role="img" aria-label="${escapeXml(user.displayName)}">` +
    `<circle cx="64" cy="64" r="64" fill="${escapeXml(user.colour)}"/>` +
    `<text x="64" y="64" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" font-size="52" font-weight="700" fill="#fff">${text}</text>` +
    `</svg>`
  );
}
