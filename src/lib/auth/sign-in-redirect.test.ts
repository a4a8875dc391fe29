import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { proxy } from "@/proxy";
import { RETURN_TO_HEADER, redirectToSignIn, signInPath } from "./sign-in-redirect";

const APP_PAGES = path.resolve(__dirname, "../../app/(app)");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(tsx?|jsx?)$/.test(entry.name) && !/\.test\./.test(entry.name) ? [full] : [];
  });
}

/** The URL `redirect()` throws with (Next's NEXT_REDIRECT digest: "NEXT_REDIRECT;type;url;status;"). */
function redirectTarget(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    const digest = (error as { digest?: string }).digest ?? "";
    expect(digest.startsWith("NEXT_REDIRECT;")).toBe(true);
    return digest.split(";")[2]!;
  }
  throw new Error("no redirect");
}

describe("signed-out visits keep the way back", () => {
  it("S46: the proxy hands every page its own path and query, overwriting a client-sent copy", () => {
    const response = proxy(
      new NextRequest("http://localhost:3000/accounts/acc_1/videos?cursor=5", { headers: { [RETURN_TO_HEADER]: "//evil.example/" } }),
    );
    // NextResponse.next({ request: { headers } }) hands the page this header.
    expect(response.headers.get(`x-middleware-request-${RETURN_TO_HEADER}`)).toBe("/accounts/acc_1/videos?cursor=5");
  });

  it("S46: a protected page sends the visitor to /login?next=<that page with its query>", () => {
    const headers = new Headers({ [RETURN_TO_HEADER]: "/accounts/acc_1/videos?cursor=5" });
    const target = redirectTarget(() => redirectToSignIn(headers));
    const url = new URL(target, "http://localhost:3000");
    expect(url.pathname).toBe("/login");
    expect(url.searchParams.get("next")).toBe("/accounts/acc_1/videos?cursor=5");
  });

  it("S46: the way back only ever holds an in-app path; the dashboard needs none", () => {
    expect(signInPath("/")).toBe("/login");
    expect(signInPath(null)).toBe("/login");
    for (const hostile of ["//evil.example/", "/..//evil.example/", "https://evil.example/", "/\\evil.example"]) {
      expect(signInPath(hostile), hostile).toBe("/login");
    }
    expect(signInPath("/settings/accounts?error=access_denied")).toBe("/login?next=%2Fsettings%2Faccounts%3Ferror%3Daccess_denied");
  });

  it("S46: no page or layout under src/app/(app) redirects to /login on its own (all go through redirectToSignIn)", () => {
    const files = sourceFiles(APP_PAGES);
    expect(files.length).toBeGreaterThan(3);
    const offenders = files.filter((file) => /redirect\(\s*["'`]\/login/.test(readFileSync(file, "utf8")));
    expect(offenders.map((f) => path.relative(APP_PAGES, f))).toEqual([]);
    const layout = readFileSync(path.join(APP_PAGES, "layout.tsx"), "utf8");
    expect(layout).toContain("redirectToSignIn(");
  });
});
