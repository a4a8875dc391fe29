import Link from "next/link";
import type { AttentionItem } from "@/lib/analytics-view/dashboard";

const LABELS: Record<AttentionItem["kind"], string> = {
  reconnect: "Reconnect needed",
  permission: "Missing permission",
  trouble: "Needs attention",
  "failed-upload": "Upload failed",
};

/** What needs the person first, above everything else on the dashboard. */
export function AttentionList({ items }: { items: AttentionItem[] }) {
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="attention-heading" className="mt-6 rounded-2xl border border-amber-300 bg-amber-50 p-4">
      <h2 id="attention-heading" className="font-semibold text-amber-950">
        Needs your attention
      </h2>
      <ul className="mt-2 space-y-2" data-testid="attention-list">
        {items.map((item) => (
          <li key={item.key} className="text-sm text-amber-950">
            <span className="font-semibold">{LABELS[item.kind]}</span> · {item.accountName}: <span className="break-words">{item.message}</span>{" "}
            <Link href={item.href} className="font-medium whitespace-nowrap text-brand-700 underline">
              {item.action}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
