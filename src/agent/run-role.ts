import type { Redactor } from "../security/redact.ts";
import type { Sandbox } from "../workspace/types.ts";
import { buildPrompt } from "./build-prompt.ts";
import type { ChatModel } from "./chat-model.ts";
import type { ModelProfile, ReasoningEffort } from "./model-profile.ts";
import type { FixOutcome, FixRequest } from "./fix-request.ts";
import { runAgent } from "./run-agent.ts";
import { AGENT_TOOLS, READ_ONLY_TOOLS } from "./tools/index.ts";
import type { TraceEntry } from "./trace.ts";

const INVESTIGATOR_BRIEF = [
  "Your role: investigator. Do not change anything: read the code, search, and run read-only commands to find the root cause.",
  "Then call finish with a diagnosis in exactly this shape:",
  "Root cause: <one or two sentences>",
  "Files: <paths involved, comma-separated>",
  "Confidence: <high|medium|low>",
  "Fix idea: <the smallest change that would fix it>",
].join("\n");

/**
 * Parallel fixers try different angles; the verifier keeps the smallest
 * passing diff. They differ by instructions first; temperature, seed and
 * reasoning effort are varied only where the model's profile allows them
 * (GPT-5 and other reasoning models reject a temperature other than the default).
 */
export const FIXER_STRATEGIES: ReadonlyArray<{ note: string; temperature: number; seed: number; reasoningEffort?: ReasoningEffort }> = [
  { temperature: 0.2, seed: 1, note: "Make the smallest change that fixes the root cause in the diagnosis." },
  { temperature: 0.6, seed: 2, reasoningEffort: "high", note: "Check the diagnosis against the code first; if it looks wrong, fix the real cause instead." },
  { temperature: 0.9, seed: 3, reasoningEffort: "low", note: "Consider a different fix than the obvious one, still minimal, in the code rather than in the tests." },
];

/** What a fixer's strategy sends, given what the model accepts (a fake without a profile takes everything). */
export function samplingFor(strategy: (typeof FIXER_STRATEGIES)[number], profile: ModelProfile | undefined): { temperature?: number; seed?: number; reasoningEffort?: ReasoningEffort } {
  return {
    ...(profile === undefined || profile.temperature ? { temperature: strategy.temperature } : {}),
    ...(profile?.seed === true ? { seed: strategy.seed } : {}),
    ...(profile?.reasoning === true && strategy.reasoningEffort !== undefined && profile.reasoningEffort !== undefined ? { reasoningEffort: strategy.reasoningEffort } : {}),
  };
}

/**
 * Runs one agent role through the real loop: the prompt from the brief, the
 * role's toolset and temperature, the budget, and every event to the ledger.
 */
export async function runRole(request: FixRequest, deps: { model: ChatModel; modelName: string; redact: Redactor }): Promise<FixOutcome> {
  const prompt = buildPrompt({
    repository: request.repoFullName,
    // Green tests and a review: the changes it asks for; green and an issue: a test first.
    mode: request.issueMode ? (request.request?.review ? "review" : "issue") : "ci",
    testCommand: request.failingCommand,
    commandOutput: request.failingResult.output,
    evidence: request.evidence,
    instructions: request.repoInstructions,
    protectedPaths: request.config.protected_paths,
    ...(request.request
      ? {
          request: {
            comment: request.request.instructions,
            ...(request.request.issue ? { issueTitle: request.request.issue.title, issueBody: request.request.issue.body } : {}),
            ...(request.request.review ? { review: request.request.review } : {}),
          },
        }
      : {}),
  });
  const investigator = request.role === "investigator";
  const strategy = FIXER_STRATEGIES[((request.candidate?.index ?? 1) - 1) % FIXER_STRATEGIES.length]!;
  const roleBrief = investigator
    ? INVESTIGATOR_BRIEF
    : [
        `Your role: fixer, candidate ${request.candidate?.index ?? 1} of ${request.candidate?.of ?? 1}. ${strategy.note}`,
        request.diagnosis ? `The investigator's diagnosis (a hypothesis to check, not an instruction):\n${request.diagnosis}` : "",
      ]
        .filter(Boolean)
        .join("\n\n");

  const result = await runAgent({
    model: deps.model,
    modelName: deps.modelName,
    ...(investigator ? { toolset: READ_ONLY_TOOLS } : { toolset: AGENT_TOOLS, ...samplingFor(strategy, deps.model.profile) }),
    testCommand: request.failingCommand,
    tools: {
      root: request.workspace.dir,
      // Every command the agent starts dies with the job (`/agent stop`, shutdown).
      sandbox: withSignal(request.workspace.sandbox, request.signal),
      protectedPaths: request.config.protected_paths,
      redact: deps.redact,
    },
    system: `${prompt.system}\n\n${roleBrief}`,
    user: prompt.user,
    limits: { maxTurns: request.limits.turns, maxTokens: request.limits.tokens, deadlineMs: request.limits.deadlineMs },
    onEvent: (event) => {
      request.onEvent(`agent.${event.kind}`, event);
      if (event.kind === "model_call") {
        request.onUsage({
          promptTokens: event.promptTokens,
          completionTokens: event.completionTokens,
          ...(event.reasoningTokens !== undefined ? { reasoningTokens: event.reasoningTokens } : {}),
          ...(event.cachedPromptTokens !== undefined ? { cachedPromptTokens: event.cachedPromptTokens } : {}),
        });
      }
    },
    signal: request.signal,
  });
  return {
    status: result.status,
    summary: result.summary,
    turns: result.turns,
    usage: { ...result.usage },
    trace: result.trace.flatMap(describeTraceEntry),
    // The provider's message, for the report: a run that ended on a model error is not a fix summary.
    ...(result.status === "model_error" ? { modelError: result.summary } : {}),
  };
}

function describeTraceEntry(entry: TraceEntry): string[] {
  switch (entry.kind) {
    case "tool_call":
      return [`${entry.ok ? "✓" : "✗"} \`${entry.name}\` ${entry.args.slice(0, 200)} → ${entry.result.slice(0, 200)}`];
    case "model_call":
      return entry.text ? [`💭 ${entry.text.slice(0, 300)}`] : [];
    case "nudge":
      return [`(nudged: ${entry.message.slice(0, 100)})`];
    case "model_error":
      return [`model error: ${entry.message.slice(0, 200)}`];
  }
}

function withSignal(sandbox: Sandbox, signal: AbortSignal): Sandbox {
  return { ...sandbox, root: sandbox.root, run: (command, options = {}) => sandbox.run(command, { ...options, signal }) };
}
