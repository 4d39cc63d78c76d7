/**
 * `node --import tokenledger/register app.js`: start tracking with defaults (or TOKENLEDGER_* env) and
 * patch the ESM and CommonJS copies of every installed SDK before the application's first line runs.
 */
import { instrumentationReady, track } from "tokenledger";

track();
await instrumentationReady();
