/**
 * One `patchwright fix` job: the model checked, the job written to the store
 * (`PATCHWRIGHT_DATA_DIR`, shared with the app, so `replay` finds it), run
 * through the app's own frame (`runJob`) with the CLI's adapters, retried on
 * transient errors like a queued job, and its trace written to a file.
 */
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { pino } from "pino";
import { createChatModel, modelSettingsOf } from "../agent/create-chat-model.ts";
import { probeModel } from "../agent/probe-model.ts";
import type { Report } from "../github/report.ts";
import { runJob } from "../pipeline/run-job.ts";
import type { JobPayload, JobResult, LocalTrigger } from "../queue/job.ts";
import { openSqliteQueue } from "../queue/sqlite-queue.ts";
import { createRedactor } from "../security/redact.ts";
import { configureHostGit } from "../workspace/host-git-env.ts";
import { loadCliEnv, type CliEnv } from "./cli-env.ts";
import { SetupError } from "./cli-errors.ts";
import type { Io } from "./cli-io.ts";
import { createCliDeps, type Delivery } from "./create-cli-deps.ts";
import { createLocalGitHub } from "./local-github.ts";
import { createProgressDisplay } from "./progress-display.ts";
import { renderJob } from "./render-job.ts";

export interface LocalJobOutcome {
  jobId: number;
  fixed: boolean;
  state: string;
  title: string;
  summary: string;
  /** The run stopped on something to set up (sandbox, test command, config), not on the code. */
  setupError: boolean;
  sha: string;
  branch: string | null;
  patchFile: string | null;
  traceFile: string;
  turns: number;
  tokens: number;
  costUsd: number;
  elapsedMs: number;
}

/** A local job is never for a worker: held back for a century, so an app sharing the store never takes it. */
/** The CLI holds its job for as long as it runs; no app worker sharing the store takes it. */
const LEASE_MS = 100 * 365 * 24 * 3_600_000;
const OWNER = `cli:${process.pid}`;
const MAX_ATTEMPTS = 3;
/** Failures to fix on the machine, not in the code: exit code 2. */
const SETUP_CODES = ["sandbox_unavailable", "no_test_command", "clone_failed", "config_invalid", "invalid repository config", "setup failed"];

export async function runLocalJob(args: { io: Io; trigger: LocalTrigger; json: boolean; dirty: boolean }): Promise<LocalJobOutcome> {
  const { io, trigger } = args;
  const env = loadCliEnv(io.env, io.cwd, { needsModel: true });
  configureHostGit(env.gitPassthrough);
  const redact = createRedactor([env.model.apiKey === "unused" ? "" : env.model.apiKey]);
  const display = createProgressDisplay({ mode: args.json ? "silent" : io.stderr.isTTY ? "tty" : "plain", write: (t) => io.stderr.write(t) });
  try {
    if (args.dirty) display.line("Note: the run works on the last commit; your uncommitted changes are not part of it and stay as they are.");
    display.stage(`Checking the model ${env.model.name}`);
    const model = await checkedModel(env, redact);
    const queue = openSqliteQueue({ dataDir: env.dataDir });
    try {
      const payload: JobPayload = {
        version: 1,
        kind: "fix-ci",
        installationId: 0,
        deliveryId: `local-${randomUUID()}`,
        repo: { owner: "local", name: path.basename(trigger.dir) || "repository", cloneUrl: pathToFileURL(trigger.dir).href, defaultBranch: trigger.branch },
        trigger,
      };
      const job = await queue.startNow(payload, payload.deliveryId, OWNER, LEASE_MS);
      const traceDir = path.join(env.dataDir, "traces");
      await mkdir(traceDir, { recursive: true });
      const log = pino({ level: "info", hooks: { streamWrite: (line) => redact(line) } }, pino.destination({ dest: path.join(traceDir, `job-${job.id}.log`), sync: true }));
      let report: Report | undefined;
      const github = createLocalGitHub(trigger, { progress: (title) => display.stage(title), report: (r) => void (report = r) });
      const deps = createCliDeps({
        env, trigger, jobId: job.id, github, queue, model, log, redact,
        onLedger: (kind, data) => display.ledger(kind, data),
        onUsage: (tokens, cost) => display.usage(tokens, cost),
      });
      display.stage("Copying the last commit into a sandbox");
      const signal = io.signal ?? new AbortController().signal;
      let result: JobResult;
      for (let attempts = 1; ; attempts++) {
        result = await runJob({ ...job, state: "running", attempts }, deps, signal);
        if (result.state !== "retry" || attempts >= MAX_ATTEMPTS || signal.aborted) break;
        display.line(`Retrying after a transient error: ${result.reason}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(result.state === "retry" ? result.delayMs : 0, 10_000)));
      }
      const final: JobResult = result.state === "retry" ? { state: "failed", summary: result.reason } : result;
      await queue.appendLedger(job.id, "result", final);
      await queue.finish(job.id, OWNER, final.state, final.summary);
      display.stop();
      const ledger = await queue.ledger(job.id);
      const delivery = ledger.findLast((e) => e.kind === "local.delivery")?.data as Delivery | undefined;
      const traceFile = path.join(traceDir, `job-${job.id}.txt`);
      await writeFile(traceFile, renderJob(await queue.get(job.id) ?? job, ledger));
      const fixed = final.state === "succeeded";
      return {
        jobId: job.id,
        fixed,
        state: final.state,
        title: report?.title ?? final.summary,
        summary: report?.summary ?? "",
        setupError: !fixed && SETUP_CODES.some((code) => final.summary.startsWith(code)),
        sha: trigger.sha,
        branch: delivery?.branch ?? null,
        patchFile: delivery?.patchFile ?? null,
        traceFile,
        ...display.totals(),
      };
    } finally {
      await queue.close();
    }
  } finally {
    display.stop();
  }
}

/** The model as the app builds it, and its start-up probe (one tiny tool-calling request). */
async function checkedModel(env: CliEnv, redact: (text: string) => string) {
  try {
    const configured = createChatModel(modelSettingsOf(env.model));
    if (env.model.probe) await probeModel({ model: configured.model, modelName: env.model.name, adaptations: configured.adaptations });
    return configured.model;
  } catch (error) {
    throw new SetupError(redact(error instanceof Error ? error.message : String(error)));
  }
}

