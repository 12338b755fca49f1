import { fence, tail } from "../github/markdown.ts";
import { renderReproductionMarkdown } from "../reproduction/render-reproduction-markdown.ts";
import type { Ending, JobContext } from "./job-context.ts";
import { admit } from "./stages/1-admit.ts";
import { evidenceAndReproduction } from "./stages/evidence-and-reproduction.ts";
import { REPORT_EXCERPT_CHARS, setupFailedReport } from "./stages/4-reproduce.ts";
import { briefFor, investigate } from "./stages/6-investigate.ts";
import { annotated, locateAnnotations } from "./stages/locate-annotations.ts";

/**
 * `/agent explain` on an issue or a pull request: stages 1–4 and the
 * investigator (6) only. The diagnosis is the job's report, a comment in the
 * thread; nothing is committed, pushed or opened. The frame (`run-job.ts`)
 * reports the ending, maps errors and disposes the workspace.
 */
export async function runExplainJob(ctx: JobContext): Promise<Ending> {
  const { origin } = ctx;
  const { config, budget } = await admit(ctx); // 1
  const target = await origin.target();
  await origin.start(target).catch((error: unknown) => ctx.log.warn({ err: error }, "could not show the job started"));
  const { evidence, reproduction } = await evidenceAndReproduction(ctx, { target, config, reruns: 0 }); // 2, 3, 4
  const { outcome } = reproduction;
  if (outcome.verdict === "setup_failed") {
    ctx.end({ result: { state: "failed", summary: "setup failed" }, report: setupFailedReport(outcome, "Setup failed", "Patchwright could not get to the tests to explain the problem.", reproduction.toolchains) });
  }
  const brief = await briefFor(ctx, { config, reproduction, evidence: evidence.text, issueMode: origin.writesTestFirst && outcome.verdict !== "red", request: origin.request(target) });
  const diagnosis = await investigate(ctx, { workspace: reproduction.workspace, brief, budget }); // 6
  ctx.checkpoint();
  // On a check run (the Explain button), the lines the failure and the diagnosis point at.
  const annotations = await locateAnnotations(reproduction.workspace, [
    { text: evidence.text, level: "failure" },
    { text: reproduction.before.output, level: "failure" },
    { text: diagnosis.summary, level: "notice" },
  ]);
  const details = `${renderReproductionMarkdown(outcome)}\n\n${fence(tail(reproduction.before.output, REPORT_EXCERPT_CHARS))}`;
  if (diagnosis.modelError !== undefined) {
    return {
      result: { state: "failed", summary: "no diagnosis" },
      report: { conclusion: "failure", title: "No diagnosis", summary: `The model failed before it could explain the problem: ${diagnosis.modelError}`, details },
    };
  }
  const tests = outcome.verdict === "red" ? `\`${reproduction.failingCommand}\` fails here too.` : `\`${reproduction.failingCommand}\` passes here (${outcome.verdict}).`;
  return annotated({
    result: { state: "succeeded", summary: "explained" },
    report: {
      conclusion: diagnosis.status === "finished" ? "success" : "neutral",
      title: diagnosis.status === "finished" ? "Diagnosis" : `Diagnosis (incomplete: ${diagnosis.status})`,
      summary: `${diagnosis.summary.trim() || "(the investigator wrote no diagnosis)"}\n\n${tests} Nothing was changed or pushed; \`/agent fix\` asks for a fix.\n\n<sub>Written by Patchwright · ${ctx.spent.tokens} tokens · $${ctx.spent.costUsd.toFixed(2)}.</sub>`,
      details,
    },
  }, annotations);
}
