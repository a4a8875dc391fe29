import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // mediainfo.js cannot find its WASM when bundled; PGlite breaks under bundling (DESIGN.md).
  serverExternalPackages: ["mediainfo.js", "@electric-sql/pglite", "pino", "pg", "ioredis"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
