import type { Finding } from "@/lib/uploads/video-rules";

/** The server's refusals (problems) or notes (warnings) about a video, each a full sentence. */
export function FindingsList({ findings, kind }: { findings: Finding<string>[]; kind: "problems" | "warnings" }) {
  if (findings.length === 0) return null;
  return (
    <ul
      aria-label={kind === "problems" ? "What TikTok would refuse" : "Worth knowing"}
      className={`mt-2 list-disc space-y-1 pl-5 text-sm ${kind === "problems" ? "text-red-800" : "text-amber-900"}`}
    >
      {findings.map((f) => (
        <li key={f.code}>{f.message}</li>
      ))}
    </ul>
  );
}
