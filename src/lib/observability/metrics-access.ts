import { createHash, timingSafeEqual } from "node:crypto";

export type MetricsAccess = "ok" | "unauthorized" | "disabled";

/**
 * Who may read `GET /api/metrics`. With `METRICS_TOKEN` set, only a request carrying
 * `Authorization: Bearer <token>` (a scraper); without it, anyone in development and test,
 * and nobody in production — counts of failures are not for the public internet.
 */
export function metricsAccess(
  authorization: string | null,
  env: { METRICS_TOKEN?: string; NODE_ENV?: string } = { METRICS_TOKEN: process.env.METRICS_TOKEN, NODE_ENV: process.env.NODE_ENV },
): MetricsAccess {
  const token = env.METRICS_TOKEN?.trim();
  if (!token) return env.NODE_ENV === "production" ? "disabled" : "ok";
  const match = /^Bearer (.+)$/.exec(authorization ?? "");
  if (!match) return "unauthorized";
  // Compare digests: equal length, constant time, whatever was sent.
  const sent = createHash("sha256").update(match[1]!).digest();
  const expected = createHash("sha256").update(token).digest();
  return timingSafeEqual(sent, expected) ? "ok" : "unauthorized";
}
