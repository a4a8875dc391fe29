import { getAuth } from "@/lib/auth";
import { apiRoute } from "@/lib/http/api-route";

// Better Auth's own endpoints (sign-up, sign-in, sign-out, session).
async function betterAuth(request: Request): Promise<Response> {
  return (await getAuth()).handler(request);
}

export const GET = apiRoute(betterAuth);
export const POST = apiRoute(betterAuth);
