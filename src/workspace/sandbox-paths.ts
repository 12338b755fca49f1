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

/** Host directories exposed read-only: programs and libraries. */
// Not /opt: operators keep services and their data there (an app's .env, its data directory).
export const SYSTEM_DIRS: readonly string[] = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

/** Paths inside the sandbox that are the system's (no extra bind may cover them; no writable bind may come from them). */
export const SYSTEM_PATHS: readonly string[] = [...SYSTEM_DIRS, "/etc"];

/**
 * The host's /etc entries the sandbox sees (read-only, when they exist): TLS
 * certificates, the loader's and alternatives' configuration, time zone,
 * MIME and magic databases, protocol and service names, the OS release, and
 * the configuration directories Debian's JVM, Python and Perl read. Never all
 * of /etc: not shadow, ssh, sudoers, the operator's gitconfig, npmrc or
 * pip.conf (credentials live there), nor any application's configuration.
 * `*` matches within a name. `resolv.conf` only with the host's network.
 * passwd, group, hosts, hostname, nsswitch.conf and gitconfig are generated
 * (`sandbox-staging.ts`).
 */
export const ETC_ALLOWLIST: readonly string[] = [
  "ssl",
  "ca-certificates",
  "ca-certificates.conf",
  "pki",
  "crypto-policies",
  "alternatives",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "localtime",
  "timezone",
  "mime.types",
  "magic",
  "magic.mime",
  "protocols",
  "services",
  "gai.conf",
  "host.conf",
  "os-release",
  "debian_version",
  "lsb-release",
  "mtab",
  "fonts",
  "java-*",
  "python3*",
  "perl",
  "resolv.conf",
];
