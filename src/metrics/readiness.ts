/**
 * `/readyz`: can this process take work? The store answers, the sandbox can
 * be built, the model is configured. Each check says what is wrong, for the
 * operator reading the 503's body.
 */
export interface ReadinessChecks {
  /** Rejects when the store does not answer a trivial query. */
  store(): Promise<void>;
  /** Throws when no sandbox can be built here (bubblewrap missing or unusable). */
  sandbox(): Promise<void>;
  /** Why the model is not usable, or null. */
  model(): string | null;
}

export interface Readiness {
  ready: boolean;
  /** Each check: "ok", or what is wrong. */
  checks: { store: string; sandbox: string; model: string };
}

export async function checkReadiness(checks: ReadinessChecks): Promise<Readiness> {
  const [store, sandbox] = await Promise.all([
    // A check that throws at once is a failed check too.
    Promise.resolve().then(() => checks.store()).then(
      () => "ok",
      (error: unknown) => `the store does not answer: ${messageOf(error)}`,
    ),
    Promise.resolve().then(() => checks.sandbox()).then(
      () => "ok",
      (error: unknown) => messageOf(error),
    ),
  ]);
  const model = checks.model() ?? "ok";
  return { ready: store === "ok" && sandbox === "ok" && model === "ok", checks: { store, sandbox, model } };
}

/**
 * The sandbox probe, once per process while it succeeds: bubblewrap that
 * worked keeps working. A failure is probed again at the next call (one probe
 * at a time), so a fixed host becomes ready without a restart.
 */
export function cacheWhileUsable(probe: () => Promise<void>): () => Promise<void> {
  let inFlight: Promise<void> | undefined;
  let usable = false;
  return () => {
    if (usable) return Promise.resolve();
    inFlight ??= probe().then(
      () => {
        usable = true;
        inFlight = undefined;
      },
      (error: unknown) => {
        inFlight = undefined;
        throw error;
      },
    );
    return inFlight;
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
