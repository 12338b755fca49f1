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

  it.each([
    ["OAuth token", "gho_16C7e42F292c6912E7710c838347Ae178B4a", /gho_16C7/],
    ["user-to-server token", "ghu_16C7e42F292c6912E7710c838347Ae178B4a", /ghu_16C7/],
    ["refresh token", "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498", /ghr_1B4a/],
    ["Slack bot token", "SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", /xoxb-1234/],
    ["Slack user token", "xoxp-123456789012-1234567890123-abcdef", /xoxp-1234/],
    ["Slack webhook", "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX", /T000\/B000/],
    ["Bearer header", "Authorization: Bearer abc.def-ghi_jkl~mno+pqr/stu=", /abc\.def/],
    ["bearer in curl", "curl -H 'Authorization: bearer 0123456789abcdefXYZ' https://api", /0123456789abcdef/],
    ["token header", "authorization: token 0123456789abcdef0123", /0123456789abcdef0123/],
    ["bearer in prose", "sent Bearer eyJhbGciOiJIUzI1NiJ9abcdefgh to the API", /eyJhbGciOiJIUzI1NiJ9/],
    ["Basic header of an installation token", `Authorization: Basic ${Buffer.from("x-access-token:ghs_abc").toString("base64")}`, /eC1hY2Nlc3MtdG9rZW46/],
    ["base64 of x-access-token:<token> alone", `extraheader = AUTHORIZATION: basic ${Buffer.from("x-access-token:v1.abcdef0123456789").toString("base64")}`, /eC1hY2Nlc3MtdG9rZW46/],
    ["password in a URL", "https://deploy:hunter2-hunter2@example.com/repo.git", /hunter2/],
    ["GitLab token", "glpat-abcdefghijklmnopqrst", /glpat-abcd/],
    ["npm token", "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789", /npm_abcdef/],
    ["Google API key", "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234", /AIzaSyA/],
    ["Anthropic key", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz", /sk-ant-api03/],
    ["Stripe key", "sk_live_abcdefghijklmnop0123", /sk_live_abcd/],
    ["AWS secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", /wJalrXUtnFEMI/],
    ["OpenSSH key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", /b3BlbnNzaC1rZXkt/],
    ["PGP key", "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF0AAAAB\n-----END PGP PRIVATE KEY BLOCK-----", /lQOYBF0AAAAB/],
    ["PEM cut off by a cap", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAabc\nMIIEowIBAAKCAQEAdef", /MIIEow/],
    ["PEM with escaped newlines", '{"key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END PRIVATE KEY-----"}', /MIIEvQIBADAN/],
  ])("removes a %s", (_name, text, leak) => {
    const out = redact(text);
    expect(out).toContain(REDACTED);
    expect(out).not.toMatch(leak);
  });

  describe("exact secrets in the forms they travel in", () => {
    const token = "v1.0123456789abcdef0123456789abcdef01234567";
    const key = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK", "-----END RSA PRIVATE KEY-----"].join("\n");
    const exact = createRedactor([token, key]);

    it.each([
      ["the value", `token=${token}`],
      ["base64", `x ${Buffer.from(token).toString("base64")} y`],
      ["base64 of x-access-token:<value>", Buffer.from(`x-access-token:${token}`).toString("base64")],
      ["URL-encoded", encodeURIComponent(`a/${token}?`)],
      ["one line of a private key", "leaked: VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK"],
      ["a JSON-escaped private key", JSON.stringify({ key })],
    ])("removes %s", (_name, text) => {
      const out = exact(text);
      expect(out).toContain(REDACTED);
      expect(out).not.toContain("0123456789abcdef0123456789abcdef");
      expect(out).not.toContain("VTLw7onLRnrq0");
      expect(out).not.toContain("MIIEowIBAAKCAQEAu1SU1");
    });
  });

  it("leaves ordinary text and too-short 'secrets' alone", () => {
    expect(redact("a short sk-test and a git sha 3484a3fb816e0859fd6e1cea078d76385ff50625")).toBe(
      "a short sk-test and a git sha 3484a3fb816e0859fd6e1cea078d76385ff50625",
    );
  });

  it.each([
    "const token: string = getToken();",
    "Authorization: Bearer ${token}",
    "git clone http://127.0.0.1:8080/o/r.git",
    "expect(headers.authorization).toBe(undefined)",
    "the bearer of bad news",
    "xox-fixture is a name",
  ])("leaves %j alone", (text) => {
    expect(redact(text)).toBe(text);
  });
});
