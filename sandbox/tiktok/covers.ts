/**
 * Offline video covers: GET /covers/<openId>/<videoId>.svg, a 9:16 card in the owner's colour
 * with the video's title. With the `coverBaseUrl` option the video list's `cover_image_url`
 * points here, so thumbnails show in `npm run dev` and e2e without the internet.
 */
import type { SeedUser, SeedVideo } from "./types";

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** At most three lines of about 18 characters, split on spaces; the last one ends with "…" when cut. */
function titleLines(title: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of title.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (Array.from(next).length <= 18 || !line) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > 3) return [...lines.slice(0, 2), `${Array.from(lines[2] ?? "").slice(0, 17).join("")}…`];
  return lines;
}

export function coverSvg(user: SeedUser, video: Pick<SeedVideo, "id" | "title">): string {
  const lines = titleLines(video.title || "Video");
  const text = lines
    .map((l, i) => `<text x="270" y="${600 + i * 64}" text-anchor="middle" font-family="system-ui,sans-serif" font-size="48" font-weight="700" fill="#fff">${escapeXml(l)}</text>`)
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="540" height="960" viewBox="0 0 540 960" role="img" aria-label="${escapeXml(video.title)}">` +
    `<rect width="540" height="960" fill="${escapeXml(user.colour)}"/>` +
    `<rect width="540" height="960" fill="#000" opacity=".25"/>` +
    `<circle cx="270" cy="400" r="84" fill="#fff" opacity=".9"/>` +
    `<path d="M245 350 L325 400 L245 450 Z" fill="${escapeXml(user.colour)}"/>` +
    text +
    `<text x="270" y="900" text-anchor="middle" font-family="system-ui,sans-serif" font-size="32" fill="#fff" opacity=".85">@${escapeXml(user.username)}</text>` +
    `</svg>`
  );
}
