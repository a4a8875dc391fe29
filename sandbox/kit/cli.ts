/**
 * The command-line runner both sandboxes share: port/host/redirect URIs from the environment, run
 * until Ctrl-C. Prints only URLs: never a token or secret.
 */

export interface CliSetup {
  /** e.g. "TikTok sandbox". */
  name: string;
  /** Environment variable prefix: `${prefix}PORT`, `${prefix}HOST`, `${prefix}REDIRECT_URIS`. */
  envPrefix: string;
  defaultPort: number;
  defaultRedirectUri: string;
  start(options: { port: number; host: string; redirectUris: string[] }): Promise<{ url: string; close(): Promise<void> }>;
  /** The line printed once listening. */
  banner(url: string): string;
}

export function runSandboxCli(setup: CliSetup): void {
  const portVar = `${setup.envPrefix}PORT`;
  const port = Number(process.env[portVar] ?? setup.defaultPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`${portVar} must be a port number, got ${JSON.stringify(process.env[portVar])}`);
    process.exit(2);
  }
  const host = process.env[`${setup.envPrefix}HOST`] ?? "127.0.0.1";
  const redirectUris = (process.env[`${setup.envPrefix}REDIRECT_URIS`] ?? setup.defaultRedirectUri)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

  // No top-level await: package.json has no "type": "module", so tsx runs the cli files as CommonJS.
  async function main(): Promise<void> {
    const sandbox = await setup.start({ port, host, redirectUris });
    console.log(setup.banner(sandbox.url));
    const stop = () => {
      void sandbox.close().then(() => process.exit(0));
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  }

  main().catch((e: unknown) => {
    console.error(`${setup.name} failed to start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
