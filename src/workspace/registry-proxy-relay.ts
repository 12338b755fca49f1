/**
 * The inside half of the registry proxy. Tools only speak HTTP(S)_PROXY over
 * TCP, and the sandbox has no network but its own loopback, so a relay in
 * the sandbox listens on 127.0.0.1 and forwards every connection to the
 * host's proxy socket. It is not a trust boundary (the host's proxy decides
 * what is allowed), so it runs as part of the sandboxed command.
 */

/** Where the host's proxy socket and the Node binary that runs the relay are mounted. */
export const SANDBOX_PROXY_SOCKET = "/run/patchwright/proxy.sock";
export const SANDBOX_NODE = "/run/patchwright/node";

/**
 * The relay, for `node -e` (CommonJS, any Node version): listens on an
 * ephemeral loopback port, prints it once, then forwards connections.
 * It must not contain a single quote (it is single-quoted into the script).
 */
const RELAY_CODE = [
  'const net = require("net");',
  "const socketPath = process.argv[1];",
  "const server = net.createServer((client) => {",
  "  const upstream = net.connect(socketPath);",
  '  client.on("error", () => upstream.destroy());',
  '  upstream.on("error", () => client.destroy());',
  "  client.pipe(upstream);",
  "  upstream.pipe(client);",
  "});",
  'server.listen(0, "127.0.0.1", () => process.stdout.end(server.address().port + "\\n"));',
].join("\n");

/** Variables that point the usual tools (curl, git, npm, yarn, pip, cargo, go) at the relay. */
const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "npm_config_https_proxy", "npm_config_proxy", "YARN_HTTPS_PROXY", "YARN_HTTP_PROXY"];

/**
 * Shell lines that start the relay (with an empty environment, so no
 * NODE_OPTIONS of the caller applies), wait until it listens, and export
 * the proxy variables for the command.
 */
export function relayScript(): string {
  if (RELAY_CODE.includes("'")) throw new Error("relay code must not contain a single quote");
  return [
    `read -r pw_proxy_port < <(env -i ${SANDBOX_NODE} -e '${RELAY_CODE}' ${SANDBOX_PROXY_SOCKET})`,
    '[ -n "$pw_proxy_port" ] || { echo "patchwright: the registry proxy relay did not start" >&2; exit 125; }',
    `export ${PROXY_VARIABLES.map((name) => `${name}=http://127.0.0.1:$pw_proxy_port`).join(" ")}`,
    "unset NO_PROXY no_proxy pw_proxy_port",
  ].join("\n");
}
