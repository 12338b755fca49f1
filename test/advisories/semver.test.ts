import { describe, expect, it } from "vitest";
import { chooseVersion } from "../../src/advisories/choose-version.ts";
import { isValidRange, satisfies, sortVersions } from "../../src/advisories/semver.ts";

describe("satisfies", () => {
  it.each([
    // GitHub advisory ranges: a comma is an AND, `||` joins the advisory's ranges.
    ["4.17.20", "< 4.17.21", true],
    ["4.17.21", "< 4.17.21", false],
    ["1.2.5", ">= 1.0.0, < 1.2.6", true],
    ["1.2.6", ">= 1.0.0, < 1.2.6", false],
    ["0.0.10", "< 0.2.4 || >= 1.0.0, < 1.2.6", true],
    ["0.2.4", "< 0.2.4 || >= 1.0.0, < 1.2.6", false],
    ["1.0.0", "= 1.0.0", true],
    ["2.0.0", "<= 1.9.9", false],
    // npm ranges.
    ["4.18.1", "^4.17.20", true],
    ["5.0.0", "^4.17.20", false],
    ["0.2.9", "^0.2.4", true],
    ["0.3.0", "^0.2.4", false],
    ["0.0.4", "^0.0.3", false],
    ["0.0.10", "~0.0.1", true],
    ["0.1.0", "~0.0.1", false],
    ["1.9.0", "1.x", true],
    ["2.0.0", "1", false],
    ["3.1.0", "*", true],
    ["1.5.0", "1.2.3 - 2", true],
    ["3.0.0", "1.2.3 - 2", false],
    ["1.3.0", ">1.2", true],
    ["1.2.9", ">1.2", false],
    ["1.2.9", "<1.3", true],
    ["2.0.0", ">=1 <2 || >=3", false],
    // Prereleases only match a range that names one of the same release.
    ["2.0.0-beta.1", ">=1.0.0", false],
    ["2.0.0-beta.2", ">=2.0.0-beta.1", true],
    ["2.0.0-beta.1", "< 2.0.0", false],
  ])("%s in %s → %s", (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  it("rejects what it cannot parse instead of guessing", () => {
    expect(isValidRange("github:lodash/lodash")).toBe(false);
    expect(satisfies("1.0.0", "latest")).toBe(false);
    expect(satisfies("not-a-version", "*")).toBe(false);
  });

  it("orders versions like npm, prereleases before their release", () => {
    expect(sortVersions(["1.10.0", "1.2.0", "1.2.0-rc.1", "1.2.0-alpha", "junk", "0.9.9"])).toEqual(["0.9.9", "1.2.0-alpha", "1.2.0-rc.1", "1.2.0", "1.10.0"]);
  });
});

describe("chooseVersion", () => {
  const vulnerability = { ranges: ["< 4.17.21"], firstPatched: ["4.17.21"] };
  const published = ["4.17.19", "4.17.20", "4.17.21", "4.17.23", "4.18.0", "5.0.0-beta.1"];

  it("takes the smallest safe release of the current major", () => {
    const choice = chooseVersion({ current: "4.17.20", published, vulnerability, packageName: "lodash" });
    expect(choice).toMatchObject({ kind: "upgrade", version: "4.17.21", major: false });
    expect(choice.kind === "upgrade" && choice.reason).toContain("current major (4.x)");
  });

  it("skips deprecated releases", () => {
    expect(chooseVersion({ current: "4.17.20", published, vulnerability, deprecated: new Set(["4.17.21"]), packageName: "lodash" })).toMatchObject({ version: "4.17.23" });
  });

  it("flags the first patched version as a major upgrade when the major has no fix", () => {
    const choice = chooseVersion({ current: "3.0.8", published: ["3.0.8", "4.0.9", "4.0.10", "4.0.12"], vulnerability: { ranges: ["< 4.0.10"], firstPatched: ["4.0.10"] }, packageName: "marked" });
    expect(choice).toMatchObject({ kind: "upgrade", version: "4.0.10", major: true });
    expect(choice.kind === "upgrade" && choice.reason).toContain("4.0.10 is the first patched version, in a later major: expect breaking changes.");
  });

  it("judges each major of a package against every range of the advisory", () => {
    const minimist = { ranges: ["< 0.2.4", ">= 1.0.0, < 1.2.6"], firstPatched: ["0.2.4", "1.2.6"] };
    const all = ["0.0.8", "0.0.10", "0.2.3", "0.2.4", "1.2.5", "1.2.6", "1.2.8"];
    expect(chooseVersion({ current: "0.0.10", published: all, vulnerability: minimist, packageName: "minimist" })).toMatchObject({ version: "0.2.4", major: false });
    expect(chooseVersion({ current: "1.2.5", published: all, vulnerability: minimist, packageName: "minimist" })).toMatchObject({ version: "1.2.6", major: false });
  });

  it("says when the installed version is safe, and when nothing safe is published", () => {
    expect(chooseVersion({ current: "4.17.21", published, vulnerability, packageName: "lodash" })).toEqual({ kind: "safe", current: "4.17.21" });
    expect(chooseVersion({ current: "1.0.0", published: ["1.0.0", "1.0.1"], vulnerability: { ranges: [">= 0"], firstPatched: [] }, packageName: "x" })).toMatchObject({ kind: "none" });
  });
});
