/**
 * Keeps the conversation inside the model's context window. Old tool outputs
 * are cut first (the latest turns stay whole); if that is not enough, the
 * oldest turns are replaced by a summary of what they did (tools, arguments,
 * results, the model's own notes), which joins the work record restated every
 * turn. Compaction edits the history in place and only ever shortens it, so
 * the prefix a provider caches stays stable between compactions.
 */
import type { ChatMessage } from "./chat-model.ts";

/** Characters per token, on the safe side for code and logs. */
export const CHARS_PER_TOKEN = 3.5;
/** Tool outputs older than the last turns are cut to this. */
export const OLD_OUTPUT_CHARS = 1_200;
/** Turns (an assistant message and its tool results) always kept whole. */
export const KEEP_RECENT_TURNS = 2;

export function estimateTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += (m.content ?? "").length + 16;
    if (m.role === "assistant") for (const c of m.toolCalls) chars += c.name.length + c.arguments.length + 16;
  }
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/**
 * Fits `messages` (system, user, then turns) into `budgetTokens`. Returns
 * true when it changed anything. `messages[1]` receives the summary of
 * dropped turns.
 */
export function compactHistory(messages: ChatMessage[], budgetTokens: number): boolean {
  if (estimateTokens(messages) <= budgetTokens) return false;
  let changed = false;
  const starts = turnStarts(messages);
  const recent = starts.length > KEEP_RECENT_TURNS ? starts[starts.length - KEEP_RECENT_TURNS]! : messages.length;
  for (let i = 2; i < recent; i++) {
    const m = messages[i]!;
    if (m.role === "tool" && m.content.length > OLD_OUTPUT_CHARS) {
      const cut = m.content.length - OLD_OUTPUT_CHARS;
      messages[i] = { ...m, content: `${m.content.slice(0, OLD_OUTPUT_CHARS / 2)}\n… [${cut} characters of this old output cut to save context; run the tool again if you need them] …\n${m.content.slice(-OLD_OUTPUT_CHARS / 2)}` };
      changed = true;
    }
  }
  const summary: string[] = [];
  while (estimateTokens(messages) > budgetTokens) {
    const turns = turnStarts(messages);
    if (turns.length <= 1) break;
    const [from, to] = [turns[0]!, turns[1]!];
    summary.push(...messages.slice(from, to).flatMap(describe));
    messages.splice(from, to - from);
    changed = true;
  }
  if (summary.length > 0) {
    const user = messages[1]!;
    const marker = "\n\n[Earlier turns, summarised to fit the context window]\n";
    const [head, previous = ""] = (user.content ?? "").split(marker);
    const merged = `${previous}${previous ? "\n" : ""}${summary.join("\n")}`;
    messages[1] = { role: "user", content: `${head}${marker}${merged.length > 6_000 ? `…${merged.slice(-6_000)}` : merged}` };
  }
  return changed;
}

/** Indexes where a turn (an assistant message) starts, after the opening system and user messages. */
function turnStarts(messages: readonly ChatMessage[]): number[] {
  const starts: number[] = [];
  for (let i = 2; i < messages.length; i++) if (messages[i]!.role === "assistant") starts.push(i);
  return starts;
}

function describe(m: ChatMessage): string[] {
  if (m.role === "assistant") {
    const note = m.content?.trim() ? [`- you noted: ${oneLine(m.content, 300)}`] : [];
    return [...note, ...m.toolCalls.map((c) => `- you called ${c.name} ${oneLine(c.arguments, 200)}`)];
  }
  if (m.role === "tool") return [`  → ${oneLine(m.content, 200)}`];
  return [];
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
