const EXCERPT = 4000;

/** The tail of a command's output, fenced, for reports. */
export function outputExcerpt(output: string): string {
  const text = output.length > EXCERPT ? `…\n${output.slice(-EXCERPT)}` : output;
  return "```\n" + text.replace(/```/g, "`\u200b``") + "\n```";
}
