import { unsupportedEcosystem } from "./unsupported.ts";

/** Go modules (GitHub's `go` ecosystem): recognised, not supported yet. */
export const go = unsupportedEcosystem("go", "Go", "go.mod, go.sum");
