/** A `/agent …` command at the start of a comment. */
export type AgentCommand =
  | { name: "fix"; instructions: string }
  | { name: "explain"; instructions: string }
  | { name: "stop" }
  | { name: "status" }
  | { name: "unknown"; word: string };

/**
 * Parses a comment body. Only a comment whose first non-blank line starts with
 * `/agent` is a command; the text after `/agent fix` or `/agent explain`
 * (same line and the lines below) is the requester's extra instructions.
 */
export function parseAgentCommand(body: string): AgentCommand | null {
  const match = /^\s*\/agent(?:[ \t]+(\S+))?([^\n]*)(?:\n([\s\S]*))?$/.exec(body.replace(/\r\n/g, "\n"));
  if (!match) return null;
  const word = (match[1] ?? "").toLowerCase();
  const rest = [match[2] ?? "", match[3] ?? ""].map((s) => s.trim()).filter(Boolean).join("\n");
  if (word === "fix") return { name: "fix", instructions: rest };
  if (word === "explain") return { name: "explain", instructions: rest };
  if (word === "stop") return { name: "stop" };
  if (word === "status") return { name: "status" };
  return { name: "unknown", word };
}
