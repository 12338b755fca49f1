import { describe, expect, it } from "vitest";
import { pythonIndexEnv } from "../../src/toolchains/python-index-env.ts";
import { formatVersion, parsePythonSpec, pickPythonVersion, type PythonVersion } from "../../src/toolchains/python-version-spec.ts";

const AVAILABLE: PythonVersion[] = [
  [3, 6, 15],
  [3, 8, 18],
  [3, 9, 18],
  [3, 10, 13],
  [3, 11, 2],
  [3, 11, 7],
  [3, 12, 1],
  [3, 13, 0],
];

describe("parsePythonSpec and pickPythonVersion (setup-python and requires-python forms)", () => {
  it.each([
    ["3.11", "3.11.7"],
    ["3.11.2", "3.11.2"],
    ["3.11.3", undefined],
    ["3", "3.13.0"],
    ["3.x", "3.13.0"],
    ["3.11.x", "3.11.7"],
    [" 3.10 ", "3.10.13"],
    [">=3.9", "3.13.0"],
    [">=3.8,<3.12", "3.11.7"],
    [">=3.8, <4", "3.13.0"],
    [">= 3.9 , < 3.11", "3.10.13"],
    [">=3.9 <3.11", "3.10.13"],
    ["~=3.10", "3.13.0"],
    ["~=3.11.0", "3.11.7"],
    ["==3.11.*", "3.11.7"],
    ["==3.11", undefined],
    ["==3.11.2", "3.11.2"],
    ["!=3.13.0", "3.12.1"],
    [">3.11,!=3.12.*,<3.14", "3.13.0"],
    ["<=3.9.18", "3.9.18"],
    ["^3.9", "3.13.0"],
    ["~3.9", "3.9.18"],
    [">=3.14", undefined],
    ["2.7", undefined],
  ])("%j picks %s", (spec, expected) => {
    const parsed = parsePythonSpec(spec);
    expect(parsed.ok).toBe(true);
    const picked = pickPythonVersion(parsed, AVAILABLE);
    expect(picked === undefined ? undefined : formatVersion(picked)).toBe(expected);
  });

  it.each([
    ["pypy3.10", /not CPython/],
    ["3.13-dev", /pre-release/],
    ["3.13.0rc1", /pre-release/],
    ["latest", /not a version, prefix or range/],
    ["", /empty/],
    ["~=3", /not a valid specifier/],
    [">=3.9.*", /not a valid specifier/],
  ])("refuses %j, saying why", (spec, reason) => {
    const parsed = parsePythonSpec(spec);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe("pythonIndexEnv", () => {
  it("points pip and uv at an HTTPS mirror and names the host:port to allow", () => {
    expect(pythonIndexEnv("https://devpi.example.lan/root/pypi/+simple/")).toEqual({
      allowedHost: "devpi.example.lan:443",
      env: {
        PIP_DISABLE_PIP_VERSION_CHECK: "1",
        PIP_NO_INPUT: "1",
        PIP_INDEX_URL: "https://devpi.example.lan/root/pypi/+simple/",
        UV_INDEX_URL: "https://devpi.example.lan/root/pypi/+simple/",
        UV_DEFAULT_INDEX: "https://devpi.example.lan/root/pypi/+simple/",
      },
    });
  });

  it.each([
    ["http://10.0.0.5:3141/simple", "10.0.0.5:3141", "10.0.0.5:3141"],
    ["http://Mirror.LAN/simple/", "mirror.lan:80", "mirror.lan"],
  ])("trusts a plain-HTTP index %s (pip and uv refuse it otherwise)", (url, allowed, trusted) => {
    const { env, allowedHost } = pythonIndexEnv(url);
    expect(allowedHost).toBe(allowed);
    expect(env["PIP_TRUSTED_HOST"]).toBe(trusted);
    expect(env["UV_INSECURE_HOST"]).toBe(trusted);
  });

  it.each([
    ["https://user:secret@artifactory.lan/api/pypi/simple", /holds credentials/],
    ["file:///srv/wheels", /http\(s\) URL/],
    ["not a url", /is not a URL/],
  ])("refuses %s", (url, message) => {
    expect(() => pythonIndexEnv(url)).toThrow(message);
  });
});
