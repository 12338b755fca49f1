import { describe, expect, it } from "vitest";
import {
  type ExpressionContext,
  evaluateCondition,
  evaluateExpression,
  interpolate,
  splitTemplate,
} from "../../src/reproduction/evaluate-expression.ts";

const context: ExpressionContext = {
  matrix: { node: 20, os: "ubuntu-latest", config: { name: "full", flags: ["--a"] } },
  env: { GREETING: "hello", EMPTY: "" },
  github: { sha: "abc123", ref_name: "main", workspace: "/workspace", event_name: "push" },
  runner: { os: "Linux", temp: "/tmp" },
};

describe("evaluateExpression", () => {
  it.each([
    ["matrix.node", 20],
    ["matrix.OS", "ubuntu-latest"],
    ["matrix['os']", "ubuntu-latest"],
    ["matrix.config.name", "full"],
    ["matrix.config.flags[0]", "--a"],
    ["matrix.missing", null],
    ["env.GREETING", "hello"],
    ["github.sha", "abc123"],
    ["github.ref_name", "main"],
    ["github.workspace", "/workspace"],
    ["runner.os", "Linux"],
    ["runner.temp", "/tmp"],
    ["'it''s'", "it's"],
    ["-1.5", -1.5],
    ["0xff", 255],
    ["true && 'x'", "x"],
    ["'' || 'fallback'", "fallback"],
    ["matrix.os == 'UBUNTU-LATEST'", true],
    ["matrix.node == '20'", true],
    ["matrix.node != 18", true],
    ["matrix.node >= 18 && matrix.node < 22", true],
    ["!(runner.os == 'Windows')", true],
    ["null == 0", true],
    ["contains('Hello world', 'WORLD')", true],
    ["contains(fromJSON('[\"a\",\"b\"]'), 'b')", true],
    ["startsWith(github.ref_name, 'ma')", true],
    ["endsWith('file.ts', '.TS')", true],
    ["format('{0}-{1} {{x}}', matrix.os, matrix.node)", "ubuntu-latest-20 {x}"],
    ["join(matrix.config.flags, ' ')", "--a"],
    ["success()", true],
    ["always()", true],
    ["failure()", false],
    ["cancelled()", false],
    ["false && secrets.TOKEN", false],
    ["true || steps.x.outputs.y", true],
  ])("%s", (source, expected) => {
    expect(evaluateExpression(source, context)).toEqual({ value: expected });
  });

  it.each([
    ["secrets.NPM_TOKEN", "secret"],
    ["github.token", "secret"],
    ["steps.build.outputs.version", "cannot be resolved locally"],
    ["needs.setup.outputs.matrix", "cannot be resolved locally"],
    ["vars.REGION", "cannot be resolved locally"],
    ["env.FROM_GITHUB_ENV", "$GITHUB_ENV"],
    ["github.event.pull_request.number", "not known locally"],
    ["hashFiles('**/package-lock.json')", "not evaluated locally"],
    ["toLower('X')", "not supported locally"],
    ["matrix.*.name", "not evaluated locally"],
    ["matrix.os ==", "invalid expression"],
    ["secrets.TOKEN && true", "secret"],
    ["matrix.os == secrets.X", "secret"],
  ])("%s is unknown", (source, reason) => {
    const result = evaluateExpression(source, context);
    expect(result).toHaveProperty("reasons");
    expect("reasons" in result && result.reasons.join(" ")).toContain(reason);
  });
});

describe("interpolate", () => {
  it("substitutes known values and reports unknown ones as empty", () => {
    expect(interpolate("node-${{ matrix.node }} on ${{ runner.os }}", context)).toEqual({ text: "node-20 on Linux", unresolved: [] });
    const secret = interpolate("npm publish --token=${{ secrets.NPM_TOKEN }}", context);
    expect(secret.text).toBe("npm publish --token=");
    expect(secret.unresolved).toEqual([expect.stringContaining("`secrets.NPM_TOKEN` is a secret")]);
  });

  it("does not end an expression at }} inside a string", () => {
    expect(splitTemplate("a ${{ format('{{0}}') }} b")).toEqual([{ literal: "a " }, { expression: "format('{{0}}')" }, { literal: " b" }]);
    expect(interpolate("${{ format('}}') }}!", context).text).toBe("}!");
  });

  it("leaves text without expressions (and unterminated ones) alone", () => {
    expect(interpolate("echo $HOME", context)).toEqual({ text: "echo $HOME", unresolved: [] });
    expect(interpolate("echo ${{ matrix.node", context).text).toBe("echo ${{ matrix.node");
  });
});

describe("evaluateCondition", () => {
  it.each<[string | boolean, boolean]>([
    ["matrix.os == 'ubuntu-latest'", true],
    ["${{ matrix.node == 18 }}", false],
    ["github.event_name == 'push'", true],
    ["always()", true],
    ["failure()", false],
    ["env.EMPTY", false],
    // Interpolation around an expression makes a non-empty string: GitHub treats it as true.
    ["${{ matrix.node }} == 18", true],
    [false, false],
  ])("%s → %s", (condition, value) => {
    expect(evaluateCondition(condition, context)).toEqual({ decided: true, value });
  });

  it("cannot decide what depends on secrets or step outputs", () => {
    const secret = evaluateCondition("secrets.DEPLOY_KEY != ''", context);
    expect(secret).toMatchObject({ decided: false });
    const outputs = evaluateCondition("${{ steps.changes.outputs.src == 'true' }}", context);
    expect(outputs).toMatchObject({ decided: false, reasons: [expect.stringContaining("steps.changes.outputs.src")] });
  });
});

describe("evaluateExpression (computed access)", () => {
  it("reads properties of computed values", () => {
    expect(evaluateExpression(`fromJSON('{"a":{"b":2}}').a.b`, context)).toEqual({ value: 2 });
    expect(evaluateExpression("matrix[format('{0}', 'os')]", context)).toEqual({ value: "ubuntu-latest" });
  });
});
