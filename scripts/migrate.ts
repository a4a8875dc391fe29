/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL (or the embedded PGlite). */
import { getDatabaseHandle } from "@/lib/db";

getDatabaseHandle()
  .then(async (handle) => {
    console.log(`Migrations applied (${handle.kind}).`);
    await handle.close();
  })
  .catch((error: unknown) => {
    console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
