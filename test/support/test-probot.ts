import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";

/** An RSA key for a test GitHub App (the app signs its JWTs with it). */
export const TEST_PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();

/** A Probot whose Octokit neither retries nor throttles, logging nowhere. */
export function createTestProbot(): Probot {
  return new Probot({
    appId: 1,
    privateKey: TEST_PRIVATE_KEY,
    secret: "test-secret",
    log: pino({ level: "silent" }),
    // Function form: Probot passes its own `throttle` per instance, which would replace an object default.
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      throttle: { ...(options["throttle"] as object), enabled: false },
      retry: { enabled: false },
    })),
  });
}
