import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { hideCover, hideIfAlreadyBroken, VideoCover } from "./video-cover";

const render = (src: string | null) => renderToStaticMarkup(createElement(VideoCover, { src, width: 48, height: 64, className: "h-16 w-12" }));

describe("video cover", () => {
  it("a cover: a lazy image with its size and an empty alt, over the placeholder", () => {
    const html = render("https://p16.example/cover.jpg");
    expect(html).toContain('data-testid="video-cover"');
    expect(html).toContain("bg-slate-200");
    expect(html).toMatch(/<img [^>]*src="https:\/\/p16.example\/cover.jpg"/);
    expect(html).toContain('alt=""');
    expect(html).toContain('width="48"');
    expect(html).toContain('height="64"');
    expect(html).toContain('loading="lazy"');
    expect(html).toContain('referrerPolicy="no-referrer"');
  });

  it("no cover: the neutral placeholder alone, no image", () => {
    const html = render(null);
    expect(html).toContain('data-testid="video-cover"');
    expect(html).toContain("bg-slate-200");
    expect(html).not.toContain("<img");
  });

  it("an image that fails to load is hidden, so the placeholder under it shows", () => {
    const img = { complete: false, naturalWidth: 0, hidden: false };
    hideCover(img);
    expect(img.hidden).toBe(true);
  });

  it("an image that failed before hydration is hidden; a loaded one or one still to come is left alone", () => {
    const broken = { complete: true, naturalWidth: 0, hidden: false };
    const loaded = { complete: true, naturalWidth: 540, hidden: false };
    const pending = { complete: false, naturalWidth: 0, hidden: false };
    for (const img of [broken, loaded, pending]) hideIfAlreadyBroken(img);
    hideIfAlreadyBroken(null);
    expect([broken.hidden, loaded.hidden, pending.hidden]).toEqual([true, false, false]);
  });
});
