import { createHash, timingSafeEqual } from "node:crypto";
import { getConfig } from "@/lib/config/config";

export type MetricsAccess = "ok" | "unauthorized" | "disabled";

/**
 * Who may read `GET /api/metrics`. With `METRICS_TOKEN` set, only a request carrying
 * `Authorization: Bearer <token>` (a scraper); without it, anyone in development and test,
 * and nobody in production — counts of failures are not for the public internet.
 */
export function metricsAccess(
  authorization: string | null,
  settings: { token: string | undefined; production: boolean } = { token: getConfig().metrics.token, production: getConfig().nodeEnv === "production" },
): MetricsAccess {
  const token = settings.token;
  if (!token) return settings.production ? "disabled" : "ok";
  const match = /^Bearer (.+)$/.exec(authorization ?? "");
  if (!match) return "unauthorized";
  // Compare digests: equal length, constant time, whatever was sent.
  const sent = createHash("sha256").update(match[1]!).digest();
  const expected = createHash("sha256").update(token).digest();
  return timingSafeEqual(sent, expected) ? "ok" : "unauthorized";
}
