import { getConfig } from "@/lib/config/config";
import { getDb } from "@/lib/db";
import { processPromise } from "@/lib/process-registry";
import { createAuth, type Auth } from "./auth";
import { cachedSessionUser } from "./cached-session";

declare module "@/lib/process-registry" {
  interface ProcessSlots {
    auth: Promise<Auth>;
  }
}

/** The process-wide Better Auth instance, built on first use (again after a failed build). */
export function getAuth(): Promise<Auth> {
  return processPromise("auth", () => getDb().then((db) => createAuth(db, getConfig())));
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** The signed-in user for these request headers, or null. */
export async function getSessionUser(requestHeaders: Headers): Promise<SessionUser | null> {
  const auth = await getAuth();
  const cached = cachedSessionUser(auth, requestHeaders);
  if (cached) return cached;
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (!session) return null;
  return { id: session.user.id, email: session.user.email, name: session.user.name };
}
