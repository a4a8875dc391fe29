import { defineConfig } from "vitest/config";
import path from "node:path";

// `npm test`: unit tests beside the code, sandbox tests, and integration tests on PGlite.
// The same integration tests run on a real PostgreSQL/Redis via `npm run test:pg`
// (TEST_DATABASE_URL / TEST_REDIS_URL set). End-to-end tests are Playwright's (tests/e2e).
export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname, "src") } },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "sandbox/**/*.test.ts", "tests/integration/**/*.test.ts", "tests/multi-instance/**/*.test.ts", "scripts/**/*.test.ts"],
    exclude: ["node_modules/**", "tests/e2e/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { NEXT_TELEMETRY_DISABLED: "1", LOG_LEVEL: "silent" },
  },
});
