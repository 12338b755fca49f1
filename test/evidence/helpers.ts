/**
 * Test helpers: fixture logs and a builder of GitHub Actions job logs around
 * them (timestamps, step groups, noise, the failing exit).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
}

export function fixtureLines(name: string): string[] {
  return fixture(name).replace(/\n$/, "").split("\n");
}

export interface StepSpec {
  /** The step's command: the log shows `##[group]Run <title>`. */
  readonly title: string;
  readonly lines: readonly string[];
  /** A non-zero code ends the step with GitHub's `##[error]Process completed with exit code N.` */
  readonly exitCode?: number;
}

function stamp(i: number): string {
  const s = i % 60;
  const m = Math.floor(i / 60) % 60;
  return `2024-05-01T10:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}.${String(i % 10_000_000).padStart(7, "0")}Z `;
}

/** A GitHub Actions job log (as the API serves it) made of `steps`. */
export function githubLog(steps: readonly StepSpec[]): string {
  const lines: string[] = ["Current runner version: '2.316.0'", "##[group]Operating System", "Ubuntu", "22.04.4", "LTS", "##[endgroup]"];
  for (const step of steps) {
    lines.push(`##[group]Run ${step.title}`, `\x1b[36;1m${step.title}\x1b[0m`, "shell: /usr/bin/bash -e {0}", "##[endgroup]");
    lines.push(...step.lines);
    if (step.exitCode) lines.push(`##[error]Process completed with exit code ${step.exitCode}.`);
  }
  lines.push("Post job cleanup.", "Cleaning up orphan processes");
  return `\ufeff${lines.map((l, i) => stamp(i) + l).join("\n")}\n`;
}

const NOISE = [
  (i: number) => `npm WARN deprecated inflight@1.0.${i}: This module is not supported, and leaks memory.`,
  (i: number) => `  ✓ handles error input number ${i} gracefully (${i % 7} ms)`,
  (i: number) => `[INFO] Compiling module ${i} of 4000 (0 errors, 0 warnings)`,
  (i: number) => `Downloading https://registry.npmjs.org/pkg-${i}/-/pkg-${i}-1.0.0.tgz`,
  (i: number) => `    at step ${i}: processed ${i * 3} records in ${i % 13} ms`,
  (i: number) => `ok ${i} - parses fixture ${i}`,
];

/** `n` lines of healthy build output, some of them mentioning errors harmlessly. */
export function noise(n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset;
    const make = NOISE[i % NOISE.length];
    return make ? make(i) : "";
  });
}

/** A failing job: checkout and install steps, then `failing` (preceded by noise) exiting with 1. */
export function failingJob(failing: readonly string[], options: { title?: string; noiseLines?: number } = {}): string {
  return githubLog([
    { title: "actions/checkout@v4", lines: ["Syncing repository: acme/app", ...noise(40)] },
    { title: "npm ci", lines: noise(options.noiseLines ?? 1500, 100) },
    { title: options.title ?? "npm test", lines: [...noise(options.noiseLines ?? 1500, 5000), ...failing], exitCode: 1 },
  ]);
}

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, "utf8");
