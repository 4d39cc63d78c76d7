import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("../fixtures/decorators-legacy/", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

// A separate project with `experimentalDecorators: true`, run in a child process because the decorator
// signature is chosen when the class is compiled.
describe("@trackLLM with experimentalDecorators (legacy signature)", () => {
  it("scopes methods, records usage and rejects non-methods at class definition", async () => {
    const { stdout } = await promisify(execFile)(
      tsx,
      ["--tsconfig", `${fixture}tsconfig.json`, `${fixture}main.ts`],
      {
        timeout: 20_000,
      },
    );
    const report = JSON.parse(stdout);
    expect(report).toEqual({
      answer: "re:q|Legacy.answer|legacy-team|u-legacy",
      staticFeature: "Legacy.describe",
      items: ["Legacy.tokens|reader"],
      local: { tokens: 42 },
      events: [{ feature: "Legacy.local", userId: "u-local", model: "llama3.1", input: 42 }],
      fieldError: 'TypeError: @trackLLM can only decorate methods, not the field "client"',
      getterError: 'TypeError: @trackLLM can only decorate methods, not the getter "cost"',
      classError: 'TypeError: @trackLLM can only decorate methods, not the class "Whole"',
    });
  });

  it("type-checks under that tsconfig: methods accepted, a decorated field rejected by the types", () => {
    const configPath = `${fixture}tsconfig.json`;
    const config = ts.getParsedCommandLineOfConfigFile(
      configPath,
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    );
    expect(config?.options.experimentalDecorators).toBe(true);
    const program = ts.createProgram({ rootNames: [`${fixture}main.ts`], options: config!.options });
    // Only the fixture's own diagnostics: the main tree is type-checked by the project's tsc run.
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(`${fixture}main.ts`));
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  });
});
