import nock from "nock";
import { afterAll, afterEach, beforeAll } from "vitest";
import { releaseStagingDir } from "../src/workspace/sandbox-staging.ts";

// Only loopback is reachable; anything else is a bug in a test.
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  if (pending.length > 0) throw new Error(`unused HTTP mocks:\n${pending.join("\n")}`);
});

// Test workers are reused and then killed, so the staging directory's exit hook
// never runs: remove it once each file's own hooks have run.
afterAll(() => releaseStagingDir());
