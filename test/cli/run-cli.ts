// Moved to test/helpers/cli.ts (one spawn helper for every suite); kept so suites written against the old path
// still import.
export { runCli, sandbox, type CliResult, type Sandbox } from "../helpers/cli.js";
