/** A tiny red repository: `add()` subtracts, and its node test says so. The fix is `a - b` → `a + b`. */
export const RED_CALC_FILES: Readonly<Record<string, string>> = {
  "package.json": JSON.stringify({ name: "calc", type: "module", scripts: { test: "node --test" } }),
  "src/add.js": "export const add = (a, b) => a - b;\n",
  "test/add.test.js": 'import assert from "node:assert";\nimport test from "node:test";\nimport { add } from "../src/add.js";\ntest("adds", () => assert.strictEqual(add(2, 3), 5));\n',
};
