/**
 * Where things are inside the sandbox, and which host paths it shows. In a
 * module of its own because both the command line (build-bwrap-args.ts)
 * and the check of extra binds (sandbox-extra-binds.ts) need them, and the
 * command line already imports the binds' type: the two would otherwise
 * import each other.
 */

/** Where the workspace appears inside the sandbox (and the default cwd). */
export const SANDBOX_WORKSPACE = "/workspace";
/** HOME inside the sandbox: on the private tmpfs, so writable and thrown away. */
export const SANDBOX_HOME = "/tmp/home";

/** Host directories exposed read-only: programs, libraries, and /etc for DNS, certificates and users. */
// Not /opt: operators keep services and their data there (an app's .env, its data directory).
export const SYSTEM_PATHS: readonly string[] = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];
