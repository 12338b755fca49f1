/**
 * What `patchwright fix` shows while it works, fed by the job's ledger and
 * spend: the stage, the candidate, turns, tokens, cost and elapsed time.
 * On a terminal, one status line redrawn in place, with milestones printed
 * above it; otherwise plain lines, one per milestone; nothing with `--json`.
 */
export type DisplayMode = "tty" | "plain" | "silent";

export interface ProgressDisplay {
  /** A new stage (the pipeline's check-run progress, or the command's own steps). */
  stage(title: string): void;
  /** One ledger entry of the job. */
  ledger(kind: string, data: unknown): void;
  usage(tokens: number, costUsd: number): void;
  /** A line that stays (a milestone, a note). */
  line(text: string): void;
  /** Turns, tokens, cost and elapsed so far. */
  totals(): { turns: number; tokens: number; costUsd: number; elapsedMs: number };
  /** Stops redrawing and leaves the last status on screen. */
  stop(): void;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export function createProgressDisplay(args: { mode: DisplayMode; write(text: string): void; now?: () => number; refreshMs?: number }): ProgressDisplay {
  const now = args.now ?? Date.now;
  const started = now();
  const state = { stage: "Starting", candidate: "", turns: 0, tokens: 0, costUsd: 0, frame: 0 };
  const tty = args.mode === "tty";
  let drawn = false;
  let stopped = false;

  const elapsed = () => clock(now() - started);
  const status = () =>
    [`${SPINNER[state.frame % SPINNER.length]} ${state.stage}`, state.candidate, `${state.turns} turns`, `${state.tokens.toLocaleString("en-US")} tokens`, `$${state.costUsd.toFixed(4)}`, elapsed()]
      .filter(Boolean)
      .join(" · ");
  const redraw = () => {
    if (!tty || stopped) return;
    args.write(`\r\x1b[2K${status()}`);
    drawn = true;
  };
  const line = (text: string) => {
    if (args.mode === "silent") return;
    if (tty) args.write(`\r\x1b[2K${text}\n`);
    else args.write(`[${elapsed()}] ${text}\n`);
    redraw();
  };
  const timer = tty ? setInterval(() => ((state.frame += 1), redraw()), args.refreshMs ?? 250) : undefined;
  timer?.unref();

  const stage = (title: string) => {
    if (title === state.stage) return;
    state.stage = title;
    line(title);
  };

  return {
    stage,
    ledger(kind, data) {
      const d = (data ?? {}) as Record<string, unknown>;
      const role = /^(investigator|fixer(\d+))\.agent\.(\w+)$/.exec(kind);
      if (role) {
        if (role[1] === "investigator") stage("Investigating");
        else {
          stage("Fixing");
          state.candidate = `candidate ${role[2]}`;
        }
        if (role[3] === "model_call") state.turns += 1;
        redraw();
        return;
      }
      switch (kind) {
        case "workspace":
          if (d["isolation"] === "host") line("Warning: commands run WITHOUT a sandbox (PATCHWRIGHT_ALLOW_UNSANDBOXED).");
          return;
        case "reproduce":
          line(`Reproduction: ${String(d["verdict"])}${typeof d["summary"] === "string" ? ` (${d["summary"].split("\n")[0]})` : ""}`);
          return;
        case "recipe":
          return line(`Known autofix: ${d["passed"] === true ? "passed" : "did not help"}`);
        case "diagnosis":
          return line(`Diagnosis: ${String(d["summary"] ?? "").split("\n")[0]}`);
        case "candidate":
          state.candidate = "";
          return line(`Candidate ${String(d["index"])}: ${d["passed"] === true ? `passed, ${String(d["changedLines"])} changed lines` : `rejected${Array.isArray(d["problems"]) && d["problems"].length > 0 ? ` (${d["problems"].join("; ")})` : ` (${String(d["status"])})`}`}`);
        case "local.delivery":
          return stage("Delivering");
      }
    },
    usage(tokens, costUsd) {
      state.tokens += tokens;
      state.costUsd += costUsd;
      redraw();
    },
    line,
    totals: () => ({ turns: state.turns, tokens: state.tokens, costUsd: state.costUsd, elapsedMs: now() - started }),
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      if (tty && drawn) {
        state.stage = "Done";
        args.write(`\r\x1b[2K${status().slice(2)}\n`);
      }
    },
  };
}

/** `m:ss`. */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
