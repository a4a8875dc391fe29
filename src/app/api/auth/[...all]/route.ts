import { getAuth } from "@/lib/auth";

// Better Auth's own endpoints (sign-up, sign-in, sign-out, session).
export async function GET(request: Request): Promise<Response> {
  return (await getAuth()).handler(request);
}

export async function POST(request: Request): Promise<Response> {
  return (await getAuth()).handler(request);
}
