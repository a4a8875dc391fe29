"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import type { UploadView } from "@/lib/uploads/upload-view";

export interface Announcement {
  mode: "inbox" | "direct";
  type: string;
  post?: { privacyLevel: string; title?: string; disableComment: boolean; disableDuet: boolean; disableStitch: boolean };
}

export type UploadPhase =
  | { step: "idle" }
  | { step: "to-server"; loaded: number; total: number }
  | { step: "checking" }
  | { step: "to-tiktok"; upload: UploadView }
  | { step: "done"; upload: UploadView }
  | { step: "error"; message: string; upload?: UploadView };

const POLL_MS = 500;
type Answer = { upload?: UploadView; error?: string };

/**
 * The page's side of an upload: announce it (POST), stream the file with XMLHttpRequest so that
 * upload progress events show browser → SocialFlow, then poll the status route for
 * SocialFlow → TikTok bytes and TikTok's verdict.
 */
export function useVideoUpload(accountId: string, onFinished: () => void) {
  const [phase, setPhase] = useState<UploadPhase>({ step: "idle" });
  const alive = useRef(true);
  const base = `/api/accounts/${encodeURIComponent(accountId)}/uploads`;

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const follow = useCallback(
    async (upload: UploadView) => {
      let current = upload;
      while (alive.current && !current.done) {
        setPhase({ step: "to-tiktok", upload: current });
        await new Promise((r) => setTimeout(r, POLL_MS));
        try {
          const response = await fetch(`${base}/${encodeURIComponent(current.id)}`, { cache: "no-store" });
          const json = (await response.json()) as Answer;
          if (json.upload) current = json.upload;
        } catch {
          // offline for a moment: keep polling, the server keeps working
        }
      }
      if (!alive.current) return;
      setPhase(current.succeeded ? { step: "done", upload: current } : { step: "error", message: current.message, upload: current });
      onFinished();
    },
    [base, onFinished],
  );

  const start = useCallback(
    async (file: File, announcement: Announcement) => {
      setPhase({ step: "to-server", loaded: 0, total: file.size });
      let announced: Answer;
      try {
        const response = await fetch(base, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ...announcement, size: file.size }),
        });
        announced = (await response.json()) as Answer;
        if (!response.ok || !announced.upload) {
          setPhase({ step: "error", message: announced.error ?? "The upload could not start." });
          return;
        }
      } catch {
        setPhase({ step: "error", message: "You appear to be offline. Check your connection and try again." });
        return;
      }

      const upload = announced.upload;
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", `${base}/${encodeURIComponent(upload.id)}/file`);
      xhr.setRequestHeader("content-type", "application/octet-stream");
      xhr.responseType = "json";
      xhr.upload.onprogress = (event) => {
        if (alive.current) setPhase({ step: "to-server", loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
      };
      xhr.upload.onload = () => {
        if (alive.current) setPhase({ step: "checking" });
      };
      xhr.onload = () => {
        const json = (xhr.response ?? {}) as Answer;
        if (xhr.status === 202 && json.upload) {
          void follow(json.upload);
          return;
        }
        setPhase({ step: "error", message: json.error ?? "The upload failed.", upload: json.upload });
        onFinished();
      };
      xhr.onerror = () => {
        setPhase({ step: "error", message: "The connection broke while the file was uploading. Try again." });
        onFinished();
      };
      xhr.send(file);
    },
    [base, follow, onFinished],
  );

  const reset = useCallback(() => setPhase({ step: "idle" }), []);
  return { phase, start, reset };
}
