/**
 * Benchmark of the webhook path: how fast Patchwright answers a red build's
 * delivery, against a bare Probot app on the same machine.
 *
 *   npm run bench:ack -- [--deliveries 300] [--concurrency 20] [--rounds 5] [--warmup 300]
 *                        [--log-level info] [--profile DIR] [--out DIR]
 *
 * Two servers, each in its own child process (bench/lib/ack-child.ts):
 *   - baseline: a bare Probot 14 app, a no-op `workflow_run.completed` handler;
 *   - patchwright: the app's webhook server as `src/start-app.ts` builds it
 *     (createApp, the real SQLite queue in a temporary directory, the
 *     redacting logger, metrics), without the worker, so jobs stay queued.
 *     Its acknowledgements (a check run per job, after the response) go to a
 *     fake GitHub in this process (test/support/fake-github.ts).
 * This process sends signed `workflow_run.completed` deliveries of failed
 * runs, each with its own delivery id and head commit (so each is a new,
 * durably committed job), over keep-alive HTTP on 127.0.0.1, CONCURRENCY at a
 * time. After a warm-up of each, rounds alternate baseline, patchwright,
 * baseline… so that machine load hits both alike; each round is DELIVERIES
 * deliveries. Per round: p50 and p99 latency, throughput, and per delivery
 * the server's CPU time (all threads), its main thread's CPU time (the event
 * loop's own work: the steadiest figure on a loaded machine), the time its
 * event loop was busy (that work, plus blocking waits such as a synchronous
 * fsync, plus time the thread was runnable but preempted) and its GC pauses.
 * The table gives medians over rounds and the ratios against the goals (p99 at most 1.5x the baseline's, throughput at least
 * 2/3 of it). `--profile DIR` writes a CPU profile of each server over the
 * measured rounds (not the start-up nor the warm-up).
 * The last line is one JSON object with the headline figures.
 */
import { positiveInt } from "./lib/positive-int.ts";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startFakeGitHub } from "../test/support/fake-github.ts";
import { TEST_PRIVATE_KEY } from "../test/support/test-probot.ts";
import { signedWorkflowRunDeliveries } from "./lib/ack-deliveries.ts";
import type { AckServerKind, AckServerOptions } from "./lib/ack-servers.ts";
import { spawnAckChild, type AckChild } from "./lib/spawn-ack-child.ts";
import { keepAliveAgent, median, percentile, sendDeliveries } from "./lib/webhook-load.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    deliveries: { type: "string", default: "300" },
    concurrency: { type: "string", default: "20" },
    rounds: { type: "string", default: "5" },
    warmup: { type: "string", default: "300" },
    "log-level": { type: "string", default: "info" },
    profile: { type: "string" },
    out: { type: "string", default: resolve(repoRoot, "bench/out/ack") },
  },
});
const int = positiveInt;
const deliveries = int("deliveries", values.deliveries);
const concurrency = int("concurrency", values.concurrency);
const rounds = int("rounds", values.rounds);
const warmup = int("warmup", values.warmup);
const out = resolve(values.out);
const GOAL_P99_RATIO = 1.5;
const GOAL_THROUGHPUT_RATIO = 2 / 3;
const SECRET = "bench-ack-webhook-secret-0123456789";
const KINDS: readonly AckServerKind[] = ["baseline", "patchwright"];

/** Medians over rounds (or one round's figures), as printed. */
interface Figures {
  p50: number;
  p99: number;
  max: number;
  rps: number;
  cpu: number;
  mainCpu: number;
  busy: number;
  gc: number;
}

interface Round {
  readonly kind: AckServerKind;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly perSecond: number;
  /** Server CPU time (user + system, all threads) per delivery. */
  readonly cpuUsPerDelivery: number;
  /** CPU time of the server's main thread (its event loop) per delivery. */
  readonly mainCpuUsPerDelivery: number;
  /**
   * Time the server's event loop was busy per delivery: CPU work, and also
   * blocking calls that wait off the CPU (a synchronous fsync). One event
   * loop serves at most 1 s / this many deliveries per second.
   */
  readonly busyUsPerDelivery: number;
  /** Garbage-collection pauses of the server per delivery. */
  readonly gcUsPerDelivery: number;
}

mkdirSync(out, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), "patchwright-bench-ack-"));
const github = await startFakeGitHub({ gitRoot: scratch });
github.repos.set("octo-org/octo-repo", { defaultBranch: "main", roles: {}, runs: {}, issues: {} });
const options: AckServerOptions = {
  secret: SECRET,
  privateKey: TEST_PRIVATE_KEY,
  githubApiUrl: `${github.url}/api/v3`,
  dataDir: join(scratch, "data"),
  logLevel: values["log-level"],
};
const children: AckChild[] = [];
const agents = new Map(KINDS.map((kind) => [kind, keepAliveAgent(concurrency)]));

try {
  for (const kind of KINDS) {
    children.push(await spawnAckChild(kind, options, { logFile: join(out, `${kind}.log`) }));
  }
  const child = (kind: AckServerKind): AckChild => children.find((c) => c.kind === kind)!;

  const runRound = async (kind: AckServerKind, count: number): Promise<Round> => {
    const batch = signedWorkflowRunDeliveries(count, SECRET);
    const server = child(kind);
    const before = await server.stats();
    const result = await sendDeliveries(server.url, batch, { concurrency, agent: agents.get(kind)! });
    const after = await server.stats();
    if (result.failures.size > 0) {
      const counts = [...result.failures].map(([status, n]) => `${n} x ${status === 0 ? "no answer" : status}`).join(", ");
      throw new Error(`${kind}: ${counts} (first: ${result.firstFailure}); see ${join(out, `${kind}.log`)}`);
    }
    return {
      kind,
      p50Ms: percentile(result.latenciesMs, 50),
      p99Ms: percentile(result.latenciesMs, 99),
      maxMs: percentile(result.latenciesMs, 100),
      perSecond: count / (result.wallMs / 1000),
      cpuUsPerDelivery: (after.cpuUs - before.cpuUs) / count,
      mainCpuUsPerDelivery: (after.mainCpuUs - before.mainCpuUs) / count,
      busyUsPerDelivery: ((after.eluActiveMs - before.eluActiveMs) * 1000) / count,
      gcUsPerDelivery: ((after.gcMs - before.gcMs) * 1000) / count,
    };
  };

  for (const kind of KINDS) await runRound(kind, warmup);
  const profileDir = values.profile ? resolve(values.profile) : null;
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    for (const c of children) await c.startProfile();
  }
  const results: Round[] = [];
  for (let r = 0; r < rounds; r += 1) for (const kind of KINDS) results.push(await runRound(kind, deliveries));
  if (profileDir) for (const c of children) await c.stopProfile(join(profileDir, `${c.kind}.cpuprofile`));

  // Every delivery of the patchwright server is a job committed before its 2xx.
  const final = await child("patchwright").stats();
  const expectedJobs = warmup + rounds * deliveries;
  if (final.jobs?.queued !== expectedJobs) throw new Error(`expected ${expectedJobs} queued jobs, the queue holds ${final.jobs?.queued}`);
  const logLines = readFileSync(join(out, "patchwright.log"), "utf8").split("\n").length - 1;
  const checkRuns = github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/check-runs")).length;

  const of = (kind: AckServerKind) => results.filter((r) => r.kind === kind);
  const med = (kind: AckServerKind, key: keyof Omit<Round, "kind">) => median(of(kind).map((r) => r[key]));
  const summary = Object.fromEntries(
    KINDS.map((kind) => [
      kind,
      { p50: med(kind, "p50Ms"), p99: med(kind, "p99Ms"), max: med(kind, "maxMs"), rps: med(kind, "perSecond"), cpu: med(kind, "cpuUsPerDelivery"), mainCpu: med(kind, "mainCpuUsPerDelivery"), busy: med(kind, "busyUsPerDelivery"), gc: med(kind, "gcUsPerDelivery") },
    ]),
  ) as Record<AckServerKind, Figures>;
  const base = summary.baseline;
  const pw = summary.patchwright;
  const p99Ratio = pw.p99 / base.p99;
  const throughputRatio = pw.rps / base.rps;
  const p99Pass = p99Ratio <= GOAL_P99_RATIO;
  const throughputPass = throughputRatio >= GOAL_THROUGHPUT_RATIO;

  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const print = (rows: string[][]) => {
    const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length))) ?? [];
    for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "));
  };
  const header = ["", "p50", "p99", "max", "deliveries/s", "CPU/delivery", "main thread", "loop busy", "GC pauses"];
  const cells = (x: Figures) => [
    ms(x.p50),
    ms(x.p99),
    ms(x.max),
    x.rps.toFixed(0),
    `${x.cpu.toFixed(0)} us`,
    `${x.mainCpu.toFixed(0)} us`,
    `${x.busy.toFixed(0)} us`,
    `${x.gc.toFixed(0)} us`,
  ];
  console.log(
    `${rounds} rounds of ${deliveries} signed workflow_run.completed (failure) deliveries per server, ${concurrency} in flight, ` +
      `keep-alive HTTP on 127.0.0.1, after a warm-up of ${warmup}; log level ${options.logLevel}; queue in ${options.dataDir}.`,
  );
  console.log("Per round:");
  print([
    ["round", ...header.slice(1)],
    ...results.map((r, i) => [
      `${Math.floor(i / KINDS.length) + 1} ${r.kind}`,
      ...cells({ p50: r.p50Ms, p99: r.p99Ms, max: r.maxMs, rps: r.perSecond, cpu: r.cpuUsPerDelivery, mainCpu: r.mainCpuUsPerDelivery, busy: r.busyUsPerDelivery, gc: r.gcUsPerDelivery }),
    ]),
  ]);
  console.log(`Medians over ${rounds} rounds:`);
  print([header, ["bare Probot", ...cells(base)], ["Patchwright", ...cells(pw)]]);
  console.log(
    `p99 ratio ${p99Ratio.toFixed(2)}x (goal <= ${GOAL_P99_RATIO}x): ${p99Pass ? "PASS" : "FAIL"}; ` +
      `throughput ratio ${throughputRatio.toFixed(2)}x (goal >= ${GOAL_THROUGHPUT_RATIO.toFixed(2)}x): ${throughputPass ? "PASS" : "FAIL"}`,
  );
  console.log(
    `Patchwright queued ${final.jobs?.queued} jobs (each committed before its 2xx); ${checkRuns} acknowledged on the fake GitHub so far ` +
      `(check runs are GitHub writes, paced at one per second per installation by Octokit's throttle, after the response). ${(logLines / expectedJobs).toFixed(1)} log lines per delivery in ${out}/patchwright.log.`,
  );
  const rss = async (kind: AckServerKind) => `${((await child(kind).stats()).rssBytes / 1e6).toFixed(0)} MB`;
  console.log(`Memory (RSS) after the rounds: bare Probot ${await rss("baseline")}, Patchwright ${await rss("patchwright")}.`);
  if (profileDir) console.log(`CPU profiles of the servers over the measured rounds: ${profileDir}/{baseline,patchwright}.cpuprofile`);
  const round2 = (x: number) => Number(x.toFixed(2));
  console.log(
    JSON.stringify({
      deliveries,
      concurrency,
      rounds,
      baseline_p50_ms: round2(base.p50),
      baseline_p99_ms: round2(base.p99),
      baseline_rps: Math.round(base.rps),
      patchwright_p50_ms: round2(pw.p50),
      patchwright_p99_ms: round2(pw.p99),
      patchwright_rps: Math.round(pw.rps),
      baseline_cpu_us_per_delivery: Math.round(base.cpu),
      patchwright_cpu_us_per_delivery: Math.round(pw.cpu),
      baseline_main_cpu_us_per_delivery: Math.round(base.mainCpu),
      patchwright_main_cpu_us_per_delivery: Math.round(pw.mainCpu),
      baseline_busy_us_per_delivery: Math.round(base.busy),
      patchwright_busy_us_per_delivery: Math.round(pw.busy),
      baseline_gc_us_per_delivery: Math.round(base.gc),
      patchwright_gc_us_per_delivery: Math.round(pw.gc),
      p99_ratio: round2(p99Ratio),
      throughput_ratio: round2(throughputRatio),
      p99_pass: p99Pass,
      throughput_pass: throughputPass,
      pass: p99Pass && throughputPass,
    }),
  );
} finally {
  await Promise.all(children.map((c) => c.stop()));
  for (const agent of agents.values()) agent.destroy();
  await github.close();
  rmSync(scratch, { recursive: true, force: true });
}
