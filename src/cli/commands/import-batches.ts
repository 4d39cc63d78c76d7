import type { Command } from "commander";
import { anthropicBatchFormat } from "../../batches/anthropic-batch.js";
import { bedrockBatchFormat } from "../../batches/bedrock-batch.js";
import { batchImporter, type BatchImportOptions } from "../../batches/importer.js";
import { openAIBatchFormat } from "../../batches/openai-batch.js";
import type { BatchFormat } from "../../batches/types.js";
import { TokenLedgerConfigError } from "../../core/errors.js";
import type { AgentImporter } from "../../importers/types.js";
import type { CliContext } from "../context.js";
import type { Runner } from "../program.js";

interface BatchCliOptions {
  readonly batchId?: string;
  readonly model?: string;
  readonly provider?: string;
  readonly full?: boolean;
  readonly json?: boolean;
}

type ImportFn = (
  ctx: CliContext,
  importer: AgentImporter,
  roots: readonly string[],
  opts: { full?: boolean; json?: boolean },
) => Promise<void>;

/** `tokenledger import openai-batch|anthropic-batch|bedrock-batch <file>`: batch results at batch rates. */
export function registerBatchImports(command: Command, run: Runner, importAgent: ImportFn): void {
  // One row per format, one loop: every format gets the same options and help. A new batch format is a row here
  // plus its parser in src/batches/.
  const formats: [BatchFormat, string, string][] = [
    [
      openAIBatchFormat,
      "an OpenAI Batch API output (or error) file: the JSONL of files.content(batch.output_file_id)",
      "batch_output.jsonl --batch-id batch_abc123",
    ],
    [
      anthropicBatchFormat,
      "Anthropic Message Batches results: the JSONL behind results_url / messages.batches.results()",
      "msgbatch_results.jsonl --batch-id msgbatch_013Zva2CMHLNnXjNJJKqJ2EF",
    ],
    [
      bedrockBatchFormat,
      "Bedrock batch inference output (<input>.jsonl.out from the job's S3 output); needs --model",
      "./job-output/ --model anthropic.claude-3-5-haiku-20241022-v1:0",
    ],
  ];
  for (const [format, what, example] of formats) {
    const sub = command
      .command(format.name)
      .description(`Import ${what}. Each request is one event priced at batch rates.`)
      .argument("<file>", "the results file (or a directory of them)")
      .option("--batch-id <id>", "the batch / job id, stored in each event's metadata.batchId")
      .option("--provider <name>", "provider label (for example azure for an Azure OpenAI batch)")
      .option("--full", "re-read the file even if unchanged since the last import")
      .option("--json", "print the summary as JSON");
    if (format === bedrockBatchFormat)
      sub.option("--model <modelId>", "the job's Bedrock model id (required)");
    sub.addHelpText("after", `\nExamples:\n  $ tokenledger import ${format.name} ${example}`).action(
      run((ctx, file: string, opts: BatchCliOptions) => {
        // Checked before any file is read: without it every record would be counted malformed, one by one.
        if (format === bedrockBatchFormat && !opts.model) {
          throw new TokenLedgerConfigError(
            `import ${format.name}: --model <bedrock model id> is required (records do not name the job's model)`,
          );
        }
        // Only the options given: an absent --provider must leave each format's own default provider in place.
        const options: BatchImportOptions = {
          ...(opts.batchId ? { batchId: opts.batchId } : {}),
          ...(opts.model ? { modelId: opts.model } : {}),
          ...(opts.provider ? { provider: opts.provider } : {}),
        };
        // The agent-log import path: same import state and summary, so an unchanged file is skipped and a
        // re-import adds nothing (each record has a stable event id).
        return importAgent(ctx, batchImporter(format, options), [file], opts);
      }),
    );
  }
}
