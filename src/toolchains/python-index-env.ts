/**
 * The variables that point Python installers at an operator's package index
 * (a devpi or Artifactory mirror, maybe plain HTTP on the LAN), and the
 * `host:port` the setup network must allow for it. pip, uv and Poetry all
 * reach it through the registry proxy (HTTP(S)_PROXY). A mirror that serves
 * its files from another host needs that host allowed too
 * (PATCHWRIGHT_SETUP_ALLOWED_HOSTS).
 */
import { PatchwrightError } from "../errors.ts";
import { normalizeHostPort } from "../workspace/registry-proxy.ts";
import { PIP_QUIET_ENV } from "./python-venv.ts";

export interface PythonIndexEnv {
  readonly env: Readonly<Record<string, string>>;
  /** What the setup network must allow (`host:port`). */
  readonly allowedHost: string;
}

/**
 * @param indexUrl the simple index (`https://devpi.lan/root/pypi/+simple/`, `http://10.0.0.5:3141/simple`).
 * @throws PatchwrightError `config_invalid` for a URL that is not http(s), or
 *   that holds credentials (nothing in the sandbox may: use an index that
 *   allows anonymous reads from the worker).
 */
export function pythonIndexEnv(indexUrl: string): PythonIndexEnv {
  let url: URL;
  try {
    url = new URL(indexUrl);
  } catch {
    throw new PatchwrightError("config_invalid", `The Python index ${JSON.stringify(indexUrl)} is not a URL; set it like https://pypi.example.lan/simple/.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new PatchwrightError("config_invalid", `The Python index must be an http(s) URL, not ${url.protocol}; fix the index URL setting.`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new PatchwrightError(
      "config_invalid",
      "The Python index URL holds credentials, which must never reach the sandbox; allow anonymous reads from the worker instead, and remove them from the index URL setting.",
    );
  }
  const plain = url.protocol === "http:";
  const allowedHost = normalizeHostPort(url.host, plain ? 80 : 443);
  const href = url.href;
  return {
    allowedHost,
    env: {
      ...PIP_QUIET_ENV,
      PIP_INDEX_URL: href,
      UV_INDEX_URL: href,
      UV_DEFAULT_INDEX: href,
      // pip ignores a plain-HTTP index (but loopback) unless it is trusted; uv likewise.
      // As written in the URL: pip matches a port only when the URL names one.
      ...(plain ? { PIP_TRUSTED_HOST: url.host, UV_INSECURE_HOST: url.host } : {}),
    },
  };
}
