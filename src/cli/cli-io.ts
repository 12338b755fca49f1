/** What a command gets of its process: arguments, streams, environment, directory. `main.ts` wires the real ones; tests their own. */
export interface CliIo {
  readonly argv: readonly string[];
  /** Standard input: read only when the log comes from it. */
  readonly stdin: AsyncIterable<Uint8Array | string> & { readonly isTTY?: boolean };
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Progress goes here; a terminal gets the live display. */
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readFile(path: string): Promise<Uint8Array>;
  /** The environment (the command's variables only are read; see `cli-env.ts`). Default: none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default: the process's working directory. */
  readonly cwd?: string;
  /** Ctrl-C: the job stops between two steps, as with `/agent stop`. */
  readonly signal?: AbortSignal;
}

/** `CliIo` with its defaults filled in: what commands get. */
export type Io = CliIo & { readonly cwd: string; readonly env: Readonly<Record<string, string | undefined>> };

export async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
