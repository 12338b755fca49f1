/**
 * Entry point of the `patchwright` command (see `bin/patchwright`): wires
 * `runCli` to the process, with no logic of its own. This is the command's
 * composition root, so it (and only it, besides `config/env.ts`) reads
 * `process.env`: the commands validate what they need (`cli-env.ts`).
 */
import { readFile } from "node:fs/promises";
import { JobCancelled } from "../queue/job-cancelled.ts";
import { runCli } from "./run-cli.ts";

// Ctrl-C stops a running fix between two steps, as `/agent stop` does; a second one quits at once.
const stop = new AbortController();
process.once("SIGINT", () => {
  stop.abort(new JobCancelled("you"));
  process.once("SIGINT", () => process.exit(130));
});

process.exitCode = await runCli({
  argv: process.argv.slice(2),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  readFile: (path) => readFile(path),
  env: process.env,
  cwd: process.cwd(),
  signal: stop.signal,
});
