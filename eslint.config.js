import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "coverage/**",
      ".tmp/**",
      "bench/results/**",
      "test/fixtures/decorators-legacy/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // Dependency rules: the core never imports interceptors, adapters, the CLI or a driver/SDK at runtime.
    files: ["src/core/**/*.ts", "src/pricing/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/interceptors/**", "**/adapters/**", "**/cli/**"],
              message: "core must not depend on outer layers",
            },
            {
              group: [
                "openai",
                "@anthropic-ai/*",
                "@google/*",
                "@aws-sdk/*",
                "pg",
                "better-sqlite3",
                "express",
                "fastify",
                "kysely",
              ],
              message: "core must not load drivers or SDKs",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "examples/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
