/** `patchwright replay <job-id>`: a finished job's timeline, diff and trace, from the store alone. */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseFlags } from "./parse-flags.ts";
import { openSqliteQueue } from "../queue/sqlite-queue.ts";
import { loadCliEnv } from "./cli-env.ts";
import { EXIT, SetupError, UsageError } from "./cli-errors.ts";
import type { Io } from "./cli-io.ts";
import { renderJob } from "./render-job.ts";

export const REPLAY_USAGE = `Usage: patchwright replay [options] JOB-ID

Shows a job from the store (PATCHWRIGHT_DATA_DIR): what triggered it, its
timeline, its ending, the diff and the agents' trace. Works for jobs of the
app and of "patchwright fix" alike; nothing is re-run.

Options:
  --json       Print {job, ledger} as JSON.
  -h, --help   Show this help.
`;

export async function replayCommand(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags(args, { json: { type: "boolean" } });
  if (parsed.values.help) {
    io.stdout.write(REPLAY_USAGE);
    return EXIT.ok;
  }
  const [id, ...extra] = parsed.positionals;
  if (id === undefined || extra.length > 0 || !/^\d+$/.test(id)) throw new UsageError(`expected one JOB-ID (a number), got ${parsed.positionals.length === 0 ? "none" : parsed.positionals.join(" ")}`);
  const env = loadCliEnv(io.env, io.cwd, { needsModel: false });
  if (!existsSync(path.join(env.dataDir, "patchwright.db"))) throw new SetupError(`no job store in ${env.dataDir}: set PATCHWRIGHT_DATA_DIR to the app's (or fix's) data directory.`);
  const queue = openSqliteQueue({ dataDir: env.dataDir });
  try {
    const job = await queue.get(Number(id));
    if (!job) {
      io.stderr.write(`patchwright replay: no job ${id} in ${env.dataDir}\n`);
      return EXIT.notFixed;
    }
    const ledger = await queue.ledger(job.id);
    io.stdout.write(parsed.values.json ? `${JSON.stringify({ job, ledger }, null, 2)}\n` : renderJob(job, ledger));
    return EXIT.ok;
  } finally {
    await queue.close();
  }
}
