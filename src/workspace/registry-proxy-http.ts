/**
 * Plain-HTTP forwarding for the registry proxy: a package index on the LAN
 * (`http://devpi.lan:3141/simple`) is asked through the proxy with an
 * absolute-form request (`GET http://host:port/path HTTP/1.1`). Only GET and
 * HEAD without a body; the target is the URL's `host:port` alone (the
 * client's Host header is replaced by it), hop-by-hop headers and
 * Proxy-Authorization are dropped, and exactly one request is forwarded per
 * connection (`Connection: close`): whatever the client sends after the
 * head, a second request included, never reaches anyone.
 */
import net from "node:net";
import { normalizeHostPort } from "./registry-proxy-hosts.ts";

export type ForwardRequest =
  | { readonly ok: true; readonly target: string; readonly head: string }
  | { readonly ok: false; readonly status: 400 | 405; readonly message: string };

const REQUEST_LINE = /^(GET|HEAD) (\S+) HTTP\/1\.[01]$/;
/** `http://` + an authority without userinfo + an origin-form path; no fragment. */
const ABSOLUTE_URL = /^http:\/\/([^/?#@\s\\]+)((?:[/?])[^\s#]*)?$/i;
const HEADER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;
/** Never forwarded: hop-by-hop (RFC 9110 §7.6.1), the proxy's own credentials, the body framing, the Host we set. */
const DROPPED = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate", "te", "trailer", "upgrade", "host"]);

/** Whether the request line asks for plain-HTTP forwarding (absolute-form). */
export function isAbsoluteFormRequest(requestLine: string): boolean {
  return /^[A-Z]+ http:\/\//i.test(requestLine);
}

/** Parses the client's head (without the final blank line) into the head to send upstream. */
export function parseForwardRequest(headText: string): ForwardRequest {
  const lines = headText.split("\r\n");
  const line = REQUEST_LINE.exec(lines[0] ?? "");
  if (line === null) return { ok: false, status: 405, message: "only GET and HEAD of http:// URLs, and CONNECT for HTTPS, are proxied" };
  const url = ABSOLUTE_URL.exec(line[2] ?? "");
  if (url === null) return { ok: false, status: 400, message: "bad request URL (absolute http:// URL without credentials expected)" };
  let target: string;
  try {
    target = normalizeHostPort(url[1] ?? "", 80);
  } catch {
    return { ok: false, status: 400, message: "bad request URL host" };
  }
  const headers: [string, string][] = [];
  for (const header of lines.slice(1)) {
    const match = HEADER.exec(header);
    // A folded or malformed line, or one with a stray CR/LF/NUL: nothing ambiguous goes upstream.
    if (match === null || /[\r\n\0]/.test(header)) return { ok: false, status: 400, message: "malformed request header" };
    headers.push([match[1] ?? "", match[2] ?? ""]);
  }
  const named = (name: string): string[] => headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  if (named("transfer-encoding").length > 0 || named("content-length").some((v) => v !== "0")) {
    return { ok: false, status: 400, message: "a request body is not proxied" };
  }
  const listed = new Set(named("connection").flatMap((v) => v.split(",").map((t) => t.trim().toLowerCase())));
  const kept = headers.filter(([name]) => !DROPPED.has(name.toLowerCase()) && !listed.has(name.toLowerCase()) && name.toLowerCase() !== "content-length");
  const hostHeader = target.endsWith(":80") ? target.slice(0, -3) : target;
  const pathPart = url[2] === undefined ? "/" : url[2].startsWith("?") ? `/${url[2]}` : url[2];
  const head = [`${line[1]} ${pathPart} HTTP/1.1`, `Host: ${hostHeader}`, ...kept.map(([n, v]) => `${n}: ${v}`), "Connection: close", "", ""].join("\r\n");
  return { ok: true, target, head };
}

/**
 * Sends the rebuilt head to the target and the response back, then closes.
 * The client's further bytes are read and dropped.
 */
export function forwardRequest(
  client: net.Socket,
  target: string,
  head: string,
  track: (socket: net.Socket) => net.Socket,
  fail: (status: 502, message: string) => void,
  lookup?: net.LookupFunction,
): void {
  const colon = target.lastIndexOf(":");
  const host = target.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const upstream = track(net.connect({ host, port: Number(target.slice(colon + 1)), ...(lookup ? { lookup } : {}) }));
  client.on("close", () => upstream.destroy());
  client.on("data", () => undefined);
  client.resume();
  upstream.once("error", (error) => fail(502, `cannot reach ${target}: ${error.message}`));
  upstream.once("connect", () => {
    upstream.removeAllListeners("error");
    upstream.on("error", () => client.destroy());
    // end, not destroy: the response may still be buffered for the client.
    upstream.on("close", () => client.end());
    upstream.write(head);
    upstream.pipe(client);
  });
}
