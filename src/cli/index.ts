#!/usr/bin/env node
/**
 * @fileoverview The `tokenledger` command. Kept thin: the program and its commands live in ./program.ts.
 */
import { main } from "./main.js";

// No top-level await: the entry is also built as CommonJS.
void main(process.argv).then((code) => {
  process.exitCode = code;
});
