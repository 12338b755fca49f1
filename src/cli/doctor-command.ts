/** `patchwright doctor`: what this machine needs, checked, with how to fix each problem. Exit 0 all good, 1 a problem. */
import { parseFlags } from "./parse-flags.ts";
import { createRedactor } from "../security/redact.ts";
import { loadCliEnv } from "./cli-env.ts";
import { EXIT } from "./cli-errors.ts";
import type { Io } from "./cli-io.ts";
import { doctorChecks } from "./doctor-checks.ts";

export const DOCTOR_USAGE = `Usage: patchwright doctor [options]

Checks git; bubblewrap and the namespaces it needs (a real sandbox runs
"true"); the user sandboxed commands run as; the model endpoint (one tiny
tool-calling request with the resolved model profile); the data directory;
Redis when REDIS_URL is set; the GitHub App's variables and private key when
set. Each problem comes with how to fix it.

Options:
  --json       Print the results as JSON.
  -h, --help   Show this help.
`;

export async function doctorCommand(args: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags(args, { json: { type: "boolean" } }, false);
  if (parsed.values.help) {
    io.stdout.write(DOCTOR_USAGE);
    return EXIT.ok;
  }
  const env = loadCliEnv(io.env, io.cwd, { needsModel: false });
  const redact = createRedactor([io.env["OPENAI_API_KEY"], io.env["WEBHOOK_SECRET"], io.env["PRIVATE_KEY"]]);
  const results = [];
  for (const check of doctorChecks(env, io.env, io.cwd, redact)) {
    const result = await check.run();
    results.push({ name: check.name, ...result });
    if (parsed.values.json) continue;
    if (result.ok === true) io.stdout.write(`✓ ${check.name}: ${result.detail}\n`);
    else if (result.ok === "skipped") io.stdout.write(`- ${check.name}: ${result.detail}\n`);
    else io.stdout.write(`✗ ${check.name}: ${result.problem}\n    fix: ${result.fix}\n`);
  }
  if (parsed.values.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  return results.some((r) => r.ok === false) ? EXIT.notFixed : EXIT.ok;
}
