import { z } from "zod";

/**
 * Where SocialFlow agrees to PUT a user's video: the `upload_url` TikTok's init returns
 * (issue #11, finding 7). The URL comes from a response body, so it is untrusted input: a
 * compromised or spoofed answer must not make the server send a private video (or probe the
 * internal network) anywhere it likes.
 *
 * Accepted:
 * - **https on TikTok's upload hosts**, default port, no user info. TikTok documents the upload
 *   URL on `open-upload.tiktokapis.com` ("Upload" and "Direct Post" references,
 *   https://developers.tiktok.com/doc/content-posting-api-reference-upload-video) and on the
 *   regional `upload.us.tiktokapis.com` ("Media Transfer Guide",
 *   https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide). Allowed is
 *   exactly that family: a first label `upload` or `open-upload` (optionally `-<region>`), an
 *   optional one-label region, then `.tiktokapis.com` — matched on the whole host name, never
 *   with a bare suffix test (which would let `eviltiktokapis.com` in).
 * - **The origin of TIKTOK_API_BASE_URL** (scheme, host and port exactly): the local sandbox
 *   serves its upload URLs there, over http; in production that is https://open.tiktokapis.com.
 *
 * Anything else fails the upload with `upload_url_refused`, before a byte leaves.
 */
const TIKTOK_UPLOAD_HOST = /^(?:open-)?upload(?:-[a-z0-9]{1,16})?(?:\.[a-z0-9]{1,16})?\.tiktokapis\.com$/;

export function uploadUrlSchema(apiBaseUrl: string) {
  const apiOrigin = new URL(apiBaseUrl).origin;
  return z
    .string()
    .max(4096)
    .transform((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: "custom", message: "not a URL" });
        return z.NEVER;
      }
      const tiktokHost = url.protocol === "https:" && url.port === "" && TIKTOK_UPLOAD_HOST.test(url.hostname);
      if (url.username !== "" || url.password !== "" || (!tiktokHost && url.origin !== apiOrigin)) {
        // The message never repeats the URL: it carries the upload token.
        ctx.addIssue({ code: "custom", message: "upload_url is not on TikTok's upload hosts" });
        return z.NEVER;
      }
      return url.href;
    });
}

/** The URL to send the chunks to, or undefined when it must not be used. */
export function acceptedUploadUrl(value: string, apiBaseUrl: string): string | undefined {
  const parsed = uploadUrlSchema(apiBaseUrl).safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
