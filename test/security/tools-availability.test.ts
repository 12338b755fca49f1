/**
 * The worker stays available whatever the workspace holds: attacks on the
 * file tools (special files made by a real sandboxed command), on search
 * (a catastrophic regular expression) and on the agent's deadline.
 */
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { executeToolCall } from "../../src/agent/tools/index.ts";
import { SEARCH_DEADLINE_MS } from "../../src/agent/tools/search.ts";
import { readHead, readRegular, writeResolved } from "../../src/agent/tools/tool-helpers.ts";
import { createSandbox } from "../../src/workspace/create-sandbox.ts";
import { fakeSandbox, makeWorkspace, type TempWorkspace, toolContext } from "../agent/helpers.ts";
import { hostProcessesWith } from "../workspace/helpers.ts";

const workspaces: TempWorkspace[] = [];
afterEach(async () => {
  for (const workspace of workspaces.splice(0)) await workspace.cleanup();
});

async function workspace(files: Record<string, string> = {}): Promise<TempWorkspace> {
  const created = await makeWorkspace(files);
  workspaces.push(created);
  return created;
}

function call(name: string, args: Record<string, unknown>) {
  return { name, arguments: JSON.stringify(args) };
}

describe("file tools against special files", () => {
  it("refuse the FIFO and the socket a sandboxed command left, without blocking", { timeout: 10_000 }, async () => {
    const { root } = await workspace({ "src/ok.ts": "export const ok = 1;\n" });
    const sandbox = await createSandbox({ root });
    // The attack: a FIFO nobody writes to (opening it for reading blocks), and a live unix socket.
    const made = await sandbox.run(
      "mkfifo pipe src/pipe.ts && python3 -c \"import socket; s = socket.socket(socket.AF_UNIX); s.bind('sock')\" && ls -l pipe sock",
    );
    console.log(`--- what the sandbox left ---\n${made.output}`);
    expect(made.exitCode).toBe(0);
    const context = toolContext(root, { sandbox });
    const attempts = [
      call("read_file", { path: "pipe" }),
      call("read_file", { path: "sock" }),
      call("edit_file", { path: "src/pipe.ts", old_string: "a", new_string: "b" }),
      call("write_file", { path: "pipe", content: "x" }),
      call("write_file", { path: "sock", content: "x" }),
    ];
    for (const attempt of attempts) {
      const outcome = await executeToolCall(attempt, context);
      console.log(`${attempt.name} ${attempt.arguments} -> ${outcome.output}`);
      expect(outcome.ok).toBe(false);
      expect(outcome.output).toMatch(/is (a named pipe \(FIFO\)|a socket), not a regular file/);
    }
    const listing = await executeToolCall(call("list_files", {}), context);
    expect(listing.output).toContain("pipe (named pipe; not readable by the tools)");
    expect(listing.output).toContain("sock (socket; not readable by the tools)");
    const search = await executeToolCall(call("search", { pattern: "ok" }), context);
    expect(search.output).toBe("src/ok.ts:1: export const ok = 1;");
  });

  it("refuse a FIFO that replaced a checked file (the open itself never waits)", { timeout: 10_000 }, async () => {
    const { root } = await workspace();
    const fifo = path.join(root, "raced");
    execFileSync("mkfifo", [fifo]);
    await expect(readHead(fifo, 100, "raced")).rejects.toThrow(/raced is a named pipe \(FIFO\)/);
    await expect(readRegular(fifo, "raced")).rejects.toThrow(/named pipe/);
    // For writing, no reader: refused by the open (ENXIO) or by the check, never waiting.
    await expect(writeResolved(fifo, "x", "raced")).rejects.toThrow();
  });
});

describe("search against a catastrophic pattern", () => {
  it("answers in linear time and never stalls the event loop", { timeout: 15_000 }, async () => {
    // `(a+)+$` on "aaaa…b" backtracks 2^n times with RegExp: 40 a's would take hours.
    const line = `${"a".repeat(40)}b`;
    const evil = `${`${line}\n`.repeat(20_000)}${"a".repeat(100_000)}b\n`;
    const { root } = await workspace({ "evil-1.txt": evil, "evil-2.txt": evil, "evil-3.txt": evil });
    const context = toolContext(root);
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const at = performance.now();
      longestGap = Math.max(longestGap, at - last);
      last = at;
      ticks++;
    }, 5);
    const started = performance.now();
    const outcome = await executeToolCall(call("search", { pattern: "(a+)+$" }), context);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    longestGap = Math.max(longestGap, performance.now() - last);
    console.log(`search (a+)+$ -> ${outcome.output} in ${Math.round(elapsed)} ms, ${ticks} timer ticks, longest gap ${Math.round(longestGap)} ms`);
    expect(outcome.output).toMatch(/^No matches for \(a\+\)\+\$ in \. \(3 files searched\)/);
    expect(elapsed).toBeLessThan(SEARCH_DEADLINE_MS);
    // Other work (webhooks, heartbeats, other jobs) kept running during the search.
    expect(ticks).toBeGreaterThan(0);
    expect(longestGap).toBeLessThan(250);
  });

  it("stops at the agent's deadline with what it has", async () => {
    const { root } = await workspace({ "a.txt": "needle\n" });
    const outcome = await executeToolCall(call("search", { pattern: "needle" }), toolContext(root, { signal: AbortSignal.abort() }));
    expect(outcome).toMatchObject({ ok: false });
    expect(outcome.output).toMatch(/search was not run: the run was stopped/);
  });
});

describe("every tool call ends with the agent's deadline", () => {
  it("cuts off a call that waits for ever", async () => {
    const { root } = await workspace();
    const never = fakeSandbox(root, () => new Promise(() => undefined));
    const started = performance.now();
    const outcome = await executeToolCall(call("run_command", { command: "npm test" }), toolContext(root, { sandbox: never, signal: AbortSignal.timeout(100) }));
    console.log(`run_command on a sandbox that never answers -> ${outcome.output} after ${Math.round(performance.now() - started)} ms`);
    expect(outcome.ok).toBe(false);
    expect(outcome.output).toContain("run_command was cut off: the agent's time budget ran out");
  });

  it("kills a real command at the deadline, well before its own timeout", { timeout: 10_000 }, async () => {
    const { root } = await workspace();
    const sandbox = await createSandbox({ root });
    const marker = `pw-deadline-${process.pid}`;
    await writeFile(path.join(root, "slow.sh"), `: ${marker}; sleep 30\n`);
    const started = performance.now();
    const outcome = await executeToolCall(
      call("run_command", { command: "bash slow.sh" }),
      toolContext(root, { sandbox, signal: AbortSignal.timeout(300), commandTimeoutMs: 60_000 }),
    );
    console.log(`run_command bash slow.sh -> ${outcome.output} after ${Math.round(performance.now() - started)} ms`);
    expect(outcome.ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
    // The command itself was killed, not left running behind the answer.
    await expect.poll(() => hostProcessesWith("slow.sh"), { timeout: 3_000 }).toEqual([]);
  });
});
