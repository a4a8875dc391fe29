import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The app's route handlers and pages as the file system has them (Next's App Router: a folder
 * per path segment, `route.ts` / `page.tsx` in it; `(group)` folders are not part of the URL).
 * The cross-user matrix tests enumerate from here, so a new route or page cannot be missed.
 */
const APP_DIR = path.resolve(__dirname, "..", "..", "src", "app");

export interface AppFile {
  /** Absolute path of the file. */
  file: string;
  /** The URL pattern as written in the folders, e.g. `/api/accounts/[accountId]/videos`. */
  pattern: string;
  source: string;
}

/** A segment that names a row of one user's data. */
export const ID_SEGMENT = /\[(accountId|uploadId)\]/;

function walk(dir: string, name: RegExp, out: AppFile[]): AppFile[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, name, out);
    else if (name.test(entry.name)) {
      const segments = path
        .relative(APP_DIR, path.dirname(full))
        .split(path.sep)
        .filter((s) => s && !/^\(.*\)$/.test(s));
      out.push({ file: full, pattern: `/${segments.join("/")}`, source: readFileSync(full, "utf8") });
    }
  }
  return out;
}

/** Every route handler file under src/app/api. */
export function apiRouteFiles(): AppFile[] {
  return walk(path.join(APP_DIR, "api"), /^route\.(ts|tsx|js|mjs)$/, []).sort((a, b) => a.pattern.localeCompare(b.pattern));
}

/** Every page under src/app/(app) (the signed-in part of the app). */
export function appPageFiles(): AppFile[] {
  return walk(path.join(APP_DIR, "(app)"), /^page\.(ts|tsx|js|mjs)$/, []).sort((a, b) => a.pattern.localeCompare(b.pattern));
}

/** Every file under src/app (the static checks read their imports). */
export function allAppFiles(): AppFile[] {
  return walk(APP_DIR, /\.(ts|tsx|js|mjs)$/, []);
}

/** `/accounts/[accountId]/videos` with the ids filled in. */
export function fillPattern(pattern: string, ids: Record<string, string>): string {
  return pattern.replace(/\[(\w+)\]/g, (_, name: string) => {
    const value = ids[name];
    if (value === undefined) throw new Error(`no value for [${name}] in ${pattern}`);
    return encodeURIComponent(value);
  });
}

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
