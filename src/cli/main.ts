/**
 * Entry point of the `patchwright` command (see `bin/patchwright`): wires
 * `runCli` to the process, with no logic of its own.
 */
import { readFile } from "node:fs/promises";
import { runCli } from "./run-cli.ts";

process.exitCode = await runCli({
  argv: process.argv.slice(2),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  readFile: (path) => readFile(path),
});
