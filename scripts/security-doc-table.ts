/** Prints the case → test files table for docs/security.md, every case the coverage scanner counts (`npx tsx scripts/security-doc-table.ts`). */
import { coverage } from "./security-coverage";

const rows = [...coverage(process.cwd())].map(([n, files]) => `| S${n} | ${files.length ? files.map((f) => `\`${f}\``).join("<br>") : "**missing**"} |`);
console.log(["| case | proven by |", "|---|---|", ...rows].join("\n"));
