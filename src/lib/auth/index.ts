import { getConfig } from "@/lib/config/config";
import { getDb } from "@/lib/db";
import { createAuth, type Auth } from "./auth";

const holder = globalThis as unknown as { __socialflowAuth?: Promise<Auth> };

/** The process-wide Better Auth instance, built on first use. */
export function getAuth(): Promise<Auth> {
  holder.__socialflowAuth ??= getDb()
    .then((db) => createAuth(db, getConfig()))
    .catch((error: unknown) => {
      holder.__socialflowAuth = undefined;
      throw error;
    });
  return holder.__socialflowAuth;
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/** The signed-in user for these request headers, or null. */
export async function getSessionUser(requestHeaders: Headers): Promise<SessionUser | null> {
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (!session) return null;
  return { id: session.user.id, email: session.user.email, name: session.user.name };
}
