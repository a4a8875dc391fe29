import { z } from "zod";
import { isWellFormed } from "@/lib/crypto/strings";
import { MAX_VIDEO_BYTES } from "./chunk-plan";

import { MAX_TITLE_LENGTH } from "./client-checks";

export { MAX_TITLE_LENGTH };
export const VIDEO_TYPES = ["video/mp4", "video/quicktime", "video/webm"] as const;

export { idSchema } from "@/lib/http/ids";

/** POST /api/accounts/:accountId/uploads — what is about to be sent, before the bytes. */
export const startUploadSchema = z.strictObject({
  mode: z.enum(["inbox", "direct"]),
  size: z.number().int().positive().max(MAX_VIDEO_BYTES),
  /** The browser's idea of the type (from the file name); the content decides in the end. */
  type: z.enum(VIDEO_TYPES).optional(),
  /** Direct post only: the choices the creator made on the page (TikTok's UX guidelines). */
  post: z
    .strictObject({
      privacyLevel: z.string().min(1).max(64).regex(/^[A-Z_]+$/),
      // Stored in a jsonb column before TikTok sees it: a NUL or a lone surrogate, which PostgreSQL
      // refuses there, is a bad request, not a failed insert answered 500 (S84).
      title: z.string().max(MAX_TITLE_LENGTH).refine((title) => !title.includes("\u0000") && isWellFormed(title)).optional(),
      disableComment: z.boolean().optional(),
      disableDuet: z.boolean().optional(),
      disableStitch: z.boolean().optional(),
    })
    .optional(),
}).refine((input) => input.mode !== "direct" || input.post !== undefined, { message: "a direct post needs its privacy level", path: ["post"] });
export type StartUploadInput = z.infer<typeof startUploadSchema>;

/** The post_info kept on the row between the announcement and the file (read back before init). */
export const storedPostInfoSchema = z.strictObject({
  privacy_level: z.string().min(1).max(64),
  title: z.string().max(MAX_TITLE_LENGTH).optional(),
  disable_comment: z.boolean(),
  disable_duet: z.boolean(),
  disable_stitch: z.boolean(),
});
