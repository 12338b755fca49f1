/**
 * Hosts a repository allows for its own setup (`setup.allowed_hosts`) are
 * reached only at public addresses: the name is the repository's to choose,
 * so it could name the worker's own network (a metadata service, a database
 * on the LAN, the loopback) if nothing checked where it resolves.
 */
import dns from "node:dns";
import net from "node:net";

/** Loopback, private, link-local, shared, multicast, reserved and unspecified ranges are not public. */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) {
    const [a = 0, b = 0] = address.split(".").map(Number);
    return !(
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  if (family === 6) {
    const lower = address.toLowerCase();
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
    if (mapped !== undefined) return isPublicAddress(mapped);
    return !(lower === "::" || lower === "::1" || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || lower.startsWith("ff"));
  }
  return false;
}

/** A `lookup` for `net.connect` that fails unless every address of the name is public. */
export const publicOnlyLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 4);
    const list = addresses as dns.LookupAddress[];
    const blocked = list.find((entry) => !isPublicAddress(entry.address));
    if (blocked !== undefined || list.length === 0) {
      const refusal = Object.assign(new Error(`${hostname} resolves to ${blocked?.address ?? "nothing"}, which is not a public address`), { code: "EACCES" });
      return callback(refusal, "", 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    const first = list[0]!;
    return callback(null, first.address, first.family);
  });
};
