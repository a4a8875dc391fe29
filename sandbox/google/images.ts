/**
 * Offline images the sandbox serves itself, so pages render without the internet:
 *   GET /yt3/<channelId>=s<size>…   channel thumbnail (Google's URLs carry the size the same way)
 *   GET /vi/<videoId>/<name>.svg    video thumbnail (default, medium, high, standard, maxres)
 *   GET /avatars/<accountId>        Google account picture (consent page, id_token `picture`)
 */
import type { SeedAccount, SeedVideo } from "./types";

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function initials(name: string): string {
  const letters = name
    .replace(/[^\p{L}\p{N} ]/gu, "")
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0] ?? "");
  return (letters.join("") || "?").toUpperCase();
}

export function circleSvg(name: string, colour: string, size: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 128 128" role="img" aria-label="${escapeXml(name)}">` +
    `<circle cx="64" cy="64" r="64" fill="${escapeXml(colour)}"/>` +
    `<text x="64" y="64" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" font-size="52" font-weight="700" fill="#fff">${escapeXml(initials(name))}</text></svg>`
  );
}

export const VIDEO_THUMBNAIL_SIZES: Readonly<Record<string, readonly [number, number]>> = Object.freeze({
  default: [120, 90],
  medium: [320, 180],
  high: [480, 360],
  standard: [640, 480],
  maxres: [1280, 720],
});

export function videoSvg(account: SeedAccount, video: SeedVideo, width: number, height: number): string {
  const title = escapeXml(video.title.length > 40 ? `${video.title.slice(0, 39)}…` : video.title);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 320 180" role="img" aria-label="${title}">` +
    `<rect width="320" height="180" fill="${escapeXml(account.colour)}"/>` +
    `<polygon points="145,70 145,110 180,90" fill="#fff" opacity=".9"/>` +
    `<text x="12" y="165" font-family="system-ui,sans-serif" font-size="14" font-weight="600" fill="#fff">${title}</text></svg>`
  );
}
