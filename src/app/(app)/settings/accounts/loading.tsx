import { LoadingState } from "@/components/loading-state";

/** The accounts page has no notFound(), so a segment loading state costs it no 404 (see LoadingState). */
export default function Loading() {
  return <LoadingState />;
}
