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
    await run(() => {});
  } else {
    const app = await startApp(loaded.env);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        app.log.info({ signal }, "stopping");
        void app.stop().then(() => process.exit(0));
      });
    }
  }
} catch (error) {
  if (error instanceof EnvError) {
    console.error(`patchwright: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
