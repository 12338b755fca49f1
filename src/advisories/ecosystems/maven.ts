import { unsupportedEcosystem } from "./unsupported.ts";

/** Maven (GitHub's `maven` ecosystem, Gradle included): recognised, not supported yet. */
export const maven = unsupportedEcosystem("maven", "Maven/Gradle", "pom.xml, build.gradle");
