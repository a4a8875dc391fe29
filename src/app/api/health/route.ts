import { NextResponse } from "next/server";
import { NO_STORE } from "@/lib/http/route-guard";
import { getDb } from "@/lib/db";
import { checkDatabase } from "@/lib/db/health";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

async function checkHealth() {
  const database = await checkDatabase(getDb);
  return NextResponse.json(
    { status: database.ok ? "ok" : "degraded", database },
    { status: database.ok ? 200 : 503, headers: NO_STORE },
  );
}

export const GET = apiRoute(checkHealth);
