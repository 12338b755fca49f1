import { describe, expect, it } from "vitest";
import { createRedactor, REDACTED } from "../../src/security/redact.ts";

describe("redaction", () => {
  const redact = createRedactor(["my-webhook-secret-value", "short"]);

  it.each([
    ["installation token", "token ghs_16C7e42F292c6912E7710c838347Ae178B4a"],
    ["personal token", "ghp_16C7e42F292c6912E7710c838347Ae178B4a used"],
    ["fine-grained PAT", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"],
    ["OpenAI key", "OPENAI_API_KEY=sk-proj-abcdefghijklmnop1234"],
    ["AWS key id", "AKIAIOSFODNN7EXAMPLE"],
    ["JWT", "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjMifQ.c2lnbmF0dXJlc2lnbmF0dXJl"],
    ["credential in a URL", "https://x-access-token:abc123@github.com/o/r.git"],
    ["PEM block", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"],
    ["exact secret", "the secret is my-webhook-secret-value!"],
  ])("removes a %s", (_name, text) => {
    const out = redact(text);
    expect(out).toContain(REDACTED);
    expect(out).not.toMatch(/ghs_16C7|ghp_16C7|github_pat_11|sk-proj|AKIAIOSF|eyJpc3Mi|abc123@|MIIEow|my-webhook-secret/);
  });

  it("leaves ordinary text and too-short 'secrets' alone", () => {
    expect(redact("a short sk-test and a git sha 3484a3fb816e0859fd6e1cea078d76385ff50625")).toBe(
      "a short sk-test and a git sha 3484a3fb816e0859fd6e1cea078d76385ff50625",
    );
  });
});
