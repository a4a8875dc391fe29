import { redirect } from "next/navigation";
import { safeReturnPath } from "@/lib/http/safe-return-path";

/**
 * The page a request asked for (path and query), set by src/proxy.ts on every request it sees
 * (overwriting any copy the client sent). A layout cannot read its own URL in the App Router, so
 * the proxy hands it down; whatever is in it only ever travels through `safeReturnPath`.
 */
export const RETURN_TO_HEADER = "x-socialflow-return-to";

/** `/login`, with `?next=` when there is an in-app page worth coming back to. */
export function signInPath(returnTo: string | null | undefined): string {
  const next = safeReturnPath(returnTo, "/");
  return next === "/" ? "/login" : `/login?${new URLSearchParams({ next })}`;
}

/**
 * Sends a signed-out visitor to sign in, keeping the way back to the page they asked for. The one
 * place every protected page and layout goes through when there is no session.
 */
export function redirectToSignIn(requestHeaders: Headers): never {
  redirect(signInPath(requestHeaders.get(RETURN_TO_HEADER)));
}
