import { existsSync } from "node:fs";
import { run } from "probot";
import { EnvError, loadEnv } from "./config/env.ts";
import { startApp } from "./start-app.ts";

// Entry point: validate the environment, then either Probot's setup page
// (no credentials yet: it registers the app from app.yml) or the app itself.
try {
  // Probot's setup page writes the app's credentials to .env; load it like Probot does.
  if (existsSync(".env")) process.loadEnvFile(".env");
  const loaded = loadEnv(process.env);
  if (loaded.mode === "setup") {
    if (process.argv[2] === "worker") throw new EnvError("a worker needs the app's credentials (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET): register the app with `npm start` first.");
    await run(() => {});
  } else {
    // `npm run worker` (`node src/main.ts worker`): jobs only, no webhook server.
    const app = await startApp(loaded.env, { role: process.argv[2] === "worker" ? "worker" : "app" });
    // Graceful: running jobs go back to the queue at their next checkpoint, then the server and
    // the store close. A second signal is not caught (`once`): it ends the process at once, and
    // the jobs are taken back from their leases by the next start.
    const stop = (signal: NodeJS.Signals) => {
      for (const s of ["SIGINT", "SIGTERM"] as const) process.off(s, stop);
      app.log.info({ signal }, "stopping: running jobs go back to the queue");
      void app.stop().then(
        () => {
          app.log.info("stopped");
          process.exit(0);
        },
        (error: unknown) => {
          app.log.error({ err: error }, "could not stop cleanly");
          process.exit(1);
        },
      );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  }
} catch (error) {
  if (error instanceof EnvError) {
    console.error(`patchwright: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
