/**
 * The pages a new user hit as dead ends: a missing page with a way back, a loading state that
 * assistive technology announces, and a favicon. Rendered to HTML without Next.js.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { LoadingState } from "./loading-state";
import AppNotFound from "@/app/(app)/not-found";
import { NotFoundPanel } from "./not-found-panel";

function hrefs(html: string): string[] {
  return [...html.matchAll(/<a [^>]*href="([^"]+)"/g)].map((m) => m[1] ?? "");
}

describe("not-found pages", () => {
  it("inside the app shell: says what happened and links back to the Dashboard and the accounts", () => {
    const html = renderToStaticMarkup(createElement(AppNotFound));
    expect(html).toContain("<h1");
    expect(html).toContain("There is nothing at this address");
    expect(hrefs(html)).toEqual(["/", "/settings/accounts"]);
    expect(html).toContain("Back to the Dashboard");
  });

  it("signed out: a way to sign in or sign up instead", () => {
    const html = renderToStaticMarkup(createElement(NotFoundPanel, { signedIn: false }));
    expect(hrefs(html)).toEqual(["/login", "/signup"]);
  });
});

describe("loading state", () => {
  it("is announced: role=status, aria-busy, visible text; the spinner is hidden from screen readers and respects reduced motion", () => {
    const html = renderToStaticMarkup(createElement(LoadingState));
    expect(html).toMatch(/^<div role="status" aria-live="polite" aria-busy="true"/);
    expect(html).toContain("Loading…");
    expect(html).toMatch(/<span aria-hidden="true" class="[^"]*motion-safe:animate-spin/);
  });
});

describe("favicon", () => {
  it("src/app/icon.svg is a small self-contained SVG (Next serves it as the icon)", () => {
    const svg = readFileSync(path.join(__dirname, "..", "app", "icon.svg"), "utf8");
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 32 32"/);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg).not.toMatch(/<script|href=|url\(|<image/i);
    expect(svg.length).toBeLessThan(1024);
  });
});
