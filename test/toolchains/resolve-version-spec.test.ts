import { describe, expect, it } from "vitest";
import { resolveVersionSpec } from "../../src/toolchains/resolve-version-spec.ts";

const NODE = ["16.20.2", "18.19.0", "18.20.4", "20.11.0", "20.11.1", "21.7.3", "22.12.0", "23.0.0", "24.0.0-rc.1"];

describe("resolveVersionSpec", () => {
  it.each([
    ["20.11.0", "20.11.0"],
    ["v20.11.1", "20.11.1"],
    ["20.11.2", null],
    ["20", "20.11.1"],
    ["20.11", "20.11.1"],
    ["18.x", "18.20.4"],
    ["^18.19", "18.20.4"],
    [">=18 <21", "20.11.1"],
    [">=20", "23.0.0"],
    ["latest", "23.0.0"],
    ["node", "23.0.0"],
    ["lts/*", "22.12.0"],
    ["lts/-1", "20.11.1"],
    ["lts/iron", "20.11.1"],
    ["lts/Hydrogen", "18.20.4"],
    ["lts/nonesuch", null],
    ["24", null],
    ["24.0.0-rc.1", "24.0.0-rc.1"],
    ["not a version", null],
  ])("%s → %s", (spec, expected) => {
    expect(resolveVersionSpec(spec, { versions: NODE, latest: "23.0.0", lts: true })).toBe(expected);
  });

  it("lts only for Node.js, and latest follows the dist-tag", () => {
    expect(resolveVersionSpec("lts/*", { versions: ["9.1.0"] })).toBeNull();
    expect(resolveVersionSpec("latest", { versions: ["9.1.0", "10.0.0"], latest: "9.1.0" })).toBe("9.1.0");
    expect(resolveVersionSpec("latest", { versions: ["9.1.0", "10.0.0-beta.1"] })).toBe("9.1.0");
  });
});
