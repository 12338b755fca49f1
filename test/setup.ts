import nock from "nock";
import { afterEach, beforeAll } from "vitest";

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
