import { z } from "zod";
import type { AgentTool } from "./types.ts";

const FinishArgs = z.object({
  summary: z
    .string()
    .min(1)
    .describe("Root cause, the change you made, and the command you ran to check it (with its result)"),
});

/** `finish{summary}`: ends the run. The pipeline verifies the result independently. */
export const finishTool: AgentTool<typeof FinishArgs> = {
  name: "finish",
  description: "End your work. Call it once the fix is in place and the test command passes, or when you cannot fix the problem (say why).",
  schema: FinishArgs,
  async run(args) {
    return { ok: true, output: "Finished.", finished: { summary: args.summary } };
  },
};
