/**
 * Every outcome of an upload in plain words (issue #6): our own refusals, TikTok's posting
 * errors (https://developers.tiktok.com/doc/content-posting-api-reference-upload-video "Init errors") and every fail_reason of the status endpoint
 * (content-posting-api-reference-get-video-status). Fixed sentences only: nothing TikTok or
 * the file said is repeated back.
 */
import type { VideoUploadRow } from "@/lib/db/schema";
import { ACCOUNT_UNAVAILABLE_MESSAGE } from "@/lib/connections/unavailable-message";
import { ownValue } from "@/lib/own-key";

export type UploadState = VideoUploadRow["state"];

export const FINAL_STATES: readonly UploadState[] = ["REJECTED", "SEND_TO_USER_INBOX", "PUBLISH_COMPLETE", "FAILED"];
export const POLLED_STATES = ["PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD"] as const satisfies readonly UploadState[];

export const STATE_MESSAGES: Record<UploadState, string> = {
  AWAITING_FILE: "Waiting for the file…",
  RECEIVING: "Uploading the file to SocialFlow…",
  VALIDATING: "Checking the video against TikTok's rules…",
  REJECTED: "Not sent: the video breaks TikTok's rules.",
  UPLOADING: "Sending the video to TikTok…",
  PROCESSING_UPLOAD: "TikTok is processing the video…",
  PROCESSING_DOWNLOAD: "TikTok is fetching the video…",
  SEND_TO_USER_INBOX: "Sent to your TikTok inbox. Open the TikTok app to edit and post it.",
  PUBLISH_COMPLETE: "Posted to TikTok.",
  FAILED: "The upload failed.",
};

/** Our outcome codes (video_uploads.error_code): refusals, posting errors, transfer failures. */
export const ERROR_MESSAGES: Record<string, string> = {
  invalid_video: "SocialFlow did not send this video: it breaks TikTok's rules (see below).",
  file_too_large: "The file is larger than SocialFlow accepts (TikTok takes at most 4 GB).",
  size_mismatch: "The file that arrived is not the size the browser announced. Choose the file and upload again.",
  file_incomplete: "The file did not arrive completely (the connection broke or the page was closed). Upload it again.",
  interrupted: "The upload stopped before the video reached TikTok (the page was closed or the server restarted). Upload it again.",
  // Upload quotas (upload-quotas.ts) and the upload URL check (upload-url.ts)
  too_many_uploads_in_progress: "You already have 2 uploads in progress — wait for one to finish, then try again.",
  pending_share_limit:
    "TikTok holds at most 5 videos waiting in an account's inbox per 24 hours, and this account has had 5 sent in that time. Try again once the oldest is a day old.",
  upload_disk_share_full:
    "Your videos on their way to TikTok already use your share of SocialFlow's upload space. Wait for one to finish, then try again.",
  upload_disk_full: "SocialFlow is busy with too many videos on their way to TikTok right now. Try again in a few minutes.",
  upload_url_refused: "TikTok's answer pointed the upload to an address that is not TikTok's, so SocialFlow did not send the video. Try again later.",
  // Posting errors at init (HTTP 403 from TikTok)
  spam_risk_too_many_posts: "TikTok says this account has posted too many times today. Try again tomorrow.",
  spam_risk_user_banned_from_posting: "TikTok has blocked this account from posting for now. Check the account in the TikTok app.",
  spam_risk_too_many_pending_share:
    "This account already has 5 videos waiting in its TikTok inbox from the last 24 hours. Open TikTok, post or delete them, then try again.",
  reached_active_user_cap:
    "SocialFlow's TikTok app has reached its daily limit of creators who can post while TikTok reviews it. Try again tomorrow.",
  unaudited_client_can_only_post_to_private_accounts:
    "Until TikTok approves SocialFlow's app, direct posts work only for private TikTok accounts. Make the account private in TikTok, or send the video to your inbox instead.",
  privacy_level_option_mismatch:
    "TikTok does not allow the chosen privacy setting for this account (until TikTok approves SocialFlow's app, only “Only me” is allowed). Choose another one.",
  url_ownership_unverified: "TikTok refused the video's address as not verified for SocialFlow.",
  invalid_params: "TikTok refused the upload request as invalid.",
  // SocialFlow's TikTok client (src/lib/providers/tiktok/call-errors.ts)
  rate_limited: "TikTok's limit on uploads for this account was reached. Try again in a minute.",
  budget_exceeded: "You have reached SocialFlow's limit on TikTok requests for now. Try again shortly.",
  reconnect_required: "TikTok no longer accepts SocialFlow's access to this account. Reconnect it on the Accounts page.",
  account_unavailable: ACCOUNT_UNAVAILABLE_MESSAGE,
  scope_missing: "This account did not give SocialFlow permission to upload videos. Reconnect it and allow uploading.",
  posting_not_approved:
    "This account didn't allow SocialFlow to upload videos. Grant the permission from Settings → Accounts (if that page doesn't offer it, posting waits for TikTok's approval of SocialFlow's Content Posting API access).",
  tiktok_unavailable: "TikTok could not be reached. Try again in a few minutes.",
  not_found: "This account is no longer connected.",
  rejected: "TikTok refused the upload request.",
  // Sending the chunks (media transfer guide)
  upload_url_expired: "TikTok's upload link expired before the video was sent (it lasts one hour). Upload it again.",
  upload_not_found: "TikTok no longer knew this upload. Upload the video again.",
  chunk_rejected: "TikTok refused a part of the file as malformed. Upload the video again.",
  range_mismatch: "TikTok and SocialFlow disagreed on which part of the file came next. Upload the video again.",
  chunk_failed: "Sending the video to TikTok kept failing (TikTok unavailable or the network broke), even after retries. Try again later.",
  status_timeout: "TikTok has not finished with the video after 24 hours. Check the TikTok app for it.",
  internal_error: "Something went wrong in SocialFlow. Try again.",
};

/** TikTok's fail_reason values of a FAILED publish. */
export const FAIL_REASON_MESSAGES: Record<string, string> = {
  file_format_check_failed: "TikTok could not use the file's format. Export the video as MP4 (H.264) and try again.",
  duration_check_failed: "TikTok refused the video's length for this account. Trim it and try again.",
  frame_rate_check_failed: "TikTok refused the video's frame rate (23 to 60 frames per second are accepted).",
  picture_size_check_failed: "TikTok refused the video's picture size (each side must be 360 to 4096 pixels).",
  internal: "TikTok had an internal problem with this video. Try again later.",
  video_pull_failed: "TikTok could not fetch the video.",
  photo_pull_failed: "TikTok could not fetch the photo.",
  publish_cancelled: "The post was cancelled.",
  auth_removed: "The account removed SocialFlow's access at TikTok before the video was processed.",
  spam_risk_too_many_posts: "TikTok says this account has posted too many times today. Try again tomorrow.",
  spam_risk_user_banned_from_posting: "TikTok has blocked this account from posting for now.",
  spam_risk_text: "TikTok flagged the title or description as spam. Change it and try again.",
  spam_risk: "TikTok flagged this post as a spam risk.",
};

/** TikTok's fail_reason kept as a code if it looks like one, else "unknown". */
export function safeFailReason(reason: string | undefined): string {
  return reason !== undefined && /^[a-z0-9_]{1,64}$/.test(reason) ? reason : "unknown";
}

/** The one sentence the page shows for a row. */
export function outcomeMessage(row: Pick<VideoUploadRow, "state" | "errorCode" | "failReason" | "mode">): string {
  if (row.state === "FAILED") {
    if (row.failReason) return ownValue(FAIL_REASON_MESSAGES, row.failReason) ?? "TikTok could not process the video and did not say why. Try again or check the TikTok app.";
    return ownValue(ERROR_MESSAGES, row.errorCode) ?? STATE_MESSAGES.FAILED;
  }
  if (row.state === "REJECTED") return ownValue(ERROR_MESSAGES, row.errorCode) ?? STATE_MESSAGES.REJECTED;
  return STATE_MESSAGES[row.state];
}
