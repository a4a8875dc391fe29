/**
 * Option and fault validation both sandboxes share.
 */
import { z } from "zod";

export const httpStatus = z.number().int().min(100).max(599);

/** zod schemas of the TransportFault kinds; a sandbox's faultSchema adds its own kinds to these. */
export const transportFaultSchemas = {
  status: z.strictObject({ kind: z.literal("status"), status: httpStatus, retryAfterSec: z.number().int().nonnegative().optional() }),
  hang: z.strictObject({ kind: z.literal("hang") }),
  html: z.strictObject({ kind: z.literal("html") }),
  malformed_json: z.strictObject({ kind: z.literal("malformed_json") }),
  wrong_content_type: z.strictObject({ kind: z.literal("wrong_content_type") }),
  delay: z.strictObject({ kind: z.literal("delay"), ms: z.number().int().nonnegative().max(600_000) }),
  oauth_error: z.strictObject({
    kind: z.literal("oauth_error"),
    error: z.string().min(1).max(100),
    status: httpStatus.optional(),
    description: z.string().max(500).optional(),
  }),
};

/**
 * Validates options with `schema`, all but `now` (a clock function is given in process only; over
 * HTTP the clock moves with /__sandbox/advance-time), and puts `now` back.
 */
export function withClock<T extends object>(schema: z.ZodType<T>, input: { now?: () => number }): T & { now?: () => number } {
  const { now, ...rest } = input;
  const checked = schema.parse(rest);
  return now === undefined ? checked : { ...checked, now };
}
