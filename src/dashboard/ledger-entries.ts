/**
 * The ledger entries the dashboard reads, as the pipeline writes them (see
 * `src/pipeline/stages/*` and `src/agent/trace.ts`). Read leniently: an entry
 * written by an older or newer version that does not fit is still listed on
 * the timeline and in the raw ledger, it only drops out of its own section.
 */
import { z } from "zod";

/** One row of the job's ledger. */
export interface LedgerEntry {
  readonly at: number;
  readonly kind: string;
  readonly data: unknown;
}

/** `data` as `schema` reads it, or undefined when it does not fit. */
export function readAs<T>(schema: z.ZodType<T>, data: unknown): T | undefined {
  const parsed = schema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

/** Agent events are written as `<role>.agent.<event>`: `investigator.agent.tool_call`, `fixer2.agent.model_call`. */
export const AGENT_EVENT = /^([^.]+)\.agent\.([^.]+)$/;

/** `diagnosis`: the investigator's conclusion. */
export const DiagnosisEntry = z.object({
  status: z.string(),
  summary: z.string().default(""),
  usage: z.object({ promptTokens: z.number(), completionTokens: z.number() }).partial().optional(),
});

/** `candidate`: one fixer's (or a recipe's) result after verification. */
export const CandidateEntry = z.object({
  index: z.number(),
  status: z.string(),
  passed: z.boolean().default(false),
  changedLines: z.number().nullable().optional(),
  /** The verifier's objections: policy (protected paths, size, test tampering) and test results. */
  problems: z.array(z.string()).default([]),
  verifyMs: z.number().optional(),
});
export type Candidate = z.infer<typeof CandidateEntry>;

/** `deliver` and `local.delivery`: where the fix went, with the verified patch. */
export const DeliverEntry = z.object({
  url: z.string().optional(),
  number: z.number().optional(),
  branch: z.string().optional(),
  sha: z.string().optional(),
  via: z.string().optional(),
  patchFile: z.string().optional(),
  patch: z.string().optional(),
});

/** `report`: what the job told its requester. */
export const ReportEntry = z.object({
  conclusion: z.string(),
  title: z.string(),
  summary: z.string().default(""),
  details: z.string().optional(),
  url: z.string().optional(),
});

/** `error`: an error the frame mapped to retry or failure. */
export const ErrorEntry = z.object({ code: z.string(), message: z.string().default("") });

/** One command a stage ran, as `reproduce`, `scope`, `broader_suite` and `recipe` record it. */
const CommandRecord = z.object({ command: z.string(), exitCode: z.number().optional(), durationMs: z.number().optional(), name: z.string().optional() });
export type CommandRecord = z.infer<typeof CommandRecord>;

export const ReproduceEntry = z.object({
  verdict: z.string().optional(),
  summary: z.string().optional(),
  run: z.object({ steps: z.array(CommandRecord).default([]) }).optional(),
});
export const CommandEntry = CommandRecord;
export const RecipeEntry = z.object({ name: z.string(), green: z.boolean().optional(), commands: z.array(CommandRecord).default([]), after: CommandRecord.nullable().optional() });

/** The agent's trace entries (`TraceEntry` in `src/agent/trace.ts`). */
export const ModelCallEvent = z.object({
  kind: z.literal("model_call"),
  turn: z.number().optional(),
  latencyMs: z.number().optional(),
  promptTokens: z.number().default(0),
  completionTokens: z.number().default(0),
  reasoningTokens: z.number().optional(),
  cachedPromptTokens: z.number().optional(),
  usageEstimated: z.boolean().optional(),
  text: z.string().nullable().optional(),
  toolCalls: z.array(z.string()).default([]),
});
export const ToolCallEvent = z.object({
  kind: z.literal("tool_call"),
  turn: z.number().optional(),
  name: z.string(),
  args: z.string().default(""),
  ok: z.boolean().default(false),
  result: z.string().default(""),
  durationMs: z.number().optional(),
});
export const NoteEvent = z.object({ kind: z.enum(["nudge", "model_error"]), turn: z.number().optional(), message: z.string().default("") });
export const TraceEvent = z.discriminatedUnion("kind", [ModelCallEvent, ToolCallEvent, NoteEvent]);
export type TraceEvent = z.infer<typeof TraceEvent>;

/** A spend record with dollars (`{ tokens, costUsd }`), should the pipeline write one. */
export const SpendEntry = z.object({ tokens: z.number().optional(), costUsd: z.number() });
