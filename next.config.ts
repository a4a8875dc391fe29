import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // mediainfo.js cannot find its WASM when bundled; PGlite breaks under bundling (DESIGN.md).
  // undici (the provider agent) is loaded from node_modules like pg: one copy per process, as Node runs it.
  serverExternalPackages: ["mediainfo.js", "@electric-sql/pglite", "pino", "pg", "ioredis", "undici"],
  poweredByHeader: false,
  // Everything else gets its security headers from src/proxy.ts, whose matcher skips build assets.
  async headers() {
    return [{ source: "/_next/static/:path*", headers: [{ key: "X-Content-Type-Options", value: "nosniff" }] }];
  },
  typedRoutes: false,
};

export default nextConfig;
