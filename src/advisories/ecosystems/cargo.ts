import { unsupportedEcosystem } from "./unsupported.ts";

/** Rust crates (GitHub's `rust` ecosystem): recognised, not supported yet. */
export const cargo = unsupportedEcosystem("cargo", "Rust", "Cargo.toml, Cargo.lock");
