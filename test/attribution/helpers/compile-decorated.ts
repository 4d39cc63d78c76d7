import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

/**
 * Compile a module with the installed TypeScript compiler exactly as a TypeScript 5 project would (standard
 * TC39 decorators, `experimentalDecorators: false`), then load it. The test runner's own transform does not
 * lower standard decorators, so it cannot stand in for tsc here.
 */
export async function compileDecorated<T>(source: string): Promise<T> {
  const out = ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      experimentalDecorators: false,
    },
    reportDiagnostics: true,
  });
  if (out.diagnostics?.length)
    throw new Error(ts.flattenDiagnosticMessageText(out.diagnostics[0]!.messageText, "\n"));
  const dir = mkdtempSync(join(tmpdir(), "tokenledger-decorators-"));
  const file = join(dir, "decorated.mjs");
  writeFileSync(file, out.outputText);
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as T;
}
