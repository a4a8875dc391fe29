import next from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...next,
  ...nextTs,
  {
    // Outside strings (TikTok codes, fail_reason, OAuth errors, file formats) are looked up in our
    // tables with src/lib/own-key.ts: `key in TABLE` also finds Object.prototype's members.
    files: ["src/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "BinaryExpression[operator='in'][right.type='Identifier'][right.name=/^[A-Z][A-Z0-9_]+$/]",
          message: "`key in TABLE` walks the prototype: use isOwnKey/ownValue from @/lib/own-key.",
        },
      ],
    },
  },
  { ignores: [".next/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
];

export default config;
