/**
 * How the policy server reaches the Kubernetes API: the pod's service account, or a kubeconfig.
 *
 * Plain `fetch` with a {@linkcode Deno.HttpClient} for the cluster's CA and a client certificate,
 * rather than `@kubernetes/client-node`: the server makes two kinds of request (GET and a
 * server-side-apply PATCH of one object), and a few lines of its own keep every byte of them
 * visible to the tests that check them, with no Node HTTP stack between.
 *
 * @module
 */
import { dirname, isAbsolute, join } from "node:path";
import { parse as parseYaml } from "yaml";

/** Where Kubernetes mounts a pod's service account credentials. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export class KubeCredentialsError extends Error {
  override name = "KubeCredentialsError";
}

/** What a request to the API server needs. */
export interface KubeCredentials {
  /** Base URL of the API server, without a trailing slash: `https://10.96.0.1:443`. */
  server: string;
  /** PEM certificates the server's certificate must chain to (besides the system's). */
  caCerts: string[];
  /** A client certificate (PEM) and its key, for certificate authentication. */
  clientCert?: { cert: string; key: string };
  /**
   * The `Authorization` header value, read for every request: service account tokens are
   * projected and rotated by the kubelet, so the file is read again rather than kept.
   */
  authorization: () => Promise<string | undefined>;
  /** The namespace of the service account or of the kubeconfig context, if any. */
  namespace?: string;
  /** For logs: `in-cluster service account`, `kubeconfig ~/.kube/config context kind-kind`. */
  source: string;
}

/** Reads a token file for each request; an empty file is an error, not anonymous access. */
function tokenFile(path: string): () => Promise<string> {
  return async () => {
    let token: string;
    try {
      token = (await Deno.readTextFile(path)).trim();
    } catch (error) {
      throw new KubeCredentialsError(`cannot read the token ${path}: ${(error as Error).message}`);
    }
    if (!token) throw new KubeCredentialsError(`the token file ${path} is empty`);
    return `Bearer ${token}`;
  };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new KubeCredentialsError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

/**
 * The pod's own identity: `KUBERNETES_SERVICE_HOST`/`_PORT` and the service account's `token`,
 * `ca.crt` and `namespace` under {@linkcode SERVICE_ACCOUNT_DIR}.
 */
export async function inClusterCredentials(
  options: { env?: (name: string) => string | undefined; dir?: string } = {},
): Promise<KubeCredentials> {
  const env = options.env ?? ((name) => Deno.env.get(name));
  const dir = options.dir ?? SERVICE_ACCOUNT_DIR;
  const host = env("KUBERNETES_SERVICE_HOST");
  const port = env("KUBERNETES_SERVICE_PORT");
  if (!host || !port) {
    throw new KubeCredentialsError(
      "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set: not running in a pod? Pass --kubeconfig",
    );
  }
  const token = tokenFile(join(dir, "token"));
  await token(); // fail at start-up, not at the first push, when the token is not mounted
  const namespace = await Deno.readTextFile(join(dir, "namespace")).then((s) => s.trim(), () => undefined);
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    caCerts: [await readText(join(dir, "ca.crt"), "the cluster CA")],
    authorization: token,
    ...(namespace && { namespace }),
    source: "in-cluster service account",
  };
}

type Yaml = Record<string, unknown>;
const isObject = (v: unknown): v is Yaml => typeof v === "object" && v !== null && !Array.isArray(v);

/** A named entry (`{name, cluster}`, `{name, user}`, `{name, context}`) of a kubeconfig list. */
function named(config: Yaml, list: string, field: string, name: string): Yaml {
  const entries = Array.isArray(config[list]) ? config[list] as unknown[] : [];
  const entry = entries.find((e) => isObject(e) && e.name === name);
  if (!isObject(entry) || !isObject(entry[field])) {
    throw new KubeCredentialsError(`the kubeconfig has no ${field} "${name}"`);
  }
  return entry[field] as Yaml;
}

const str = (v: unknown): string | undefined => typeof v === "string" && v !== "" ? v : undefined;

function decodeBase64(value: string, what: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.fromBase64(value.replace(/\s+/g, "")));
  } catch {
    throw new KubeCredentialsError(`the kubeconfig's ${what} is not base64`);
  }
}

/**
 * Credentials from a kubeconfig file: its current context (or `context`), that context's cluster
 * (`server`, `certificate-authority` or `certificate-authority-data`) and user (`token`,
 * `tokenFile`, `client-certificate[-data]` with `client-key[-data]`, or `username`/`password`).
 * Relative file names are relative to the kubeconfig's folder, as kubectl reads them.
 *
 * Not supported (an error says so): `exec` and `auth-provider` plugins, `insecure-skip-tls-verify`,
 * `tls-server-name` and `proxy-url`.
 */
export async function kubeconfigCredentials(path: string, context?: string): Promise<KubeCredentials> {
  const text = await readText(path, "the kubeconfig");
  let config: unknown;
  try {
    config = parseYaml(text);
  } catch (error) {
    throw new KubeCredentialsError(`the kubeconfig ${path} is not YAML: ${(error as Error).message}`);
  }
  if (!isObject(config)) throw new KubeCredentialsError(`the kubeconfig ${path} is empty`);
  const contextName = context ?? str(config["current-context"]);
  if (!contextName) {
    throw new KubeCredentialsError(`the kubeconfig ${path} has no current-context; pass --kube-context`);
  }
  const ctx = named(config, "contexts", "context", contextName);
  const clusterName = str(ctx.cluster);
  const userName = str(ctx.user);
  if (!clusterName) throw new KubeCredentialsError(`context "${contextName}" names no cluster`);
  const cluster = named(config, "clusters", "cluster", clusterName);
  const user = userName ? named(config, "users", "user", userName) : {};
  const file = (p: string) => isAbsolute(p) ? p : join(dirname(path), p);

  const server = str(cluster.server)?.replace(/\/+$/, "");
  if (!server || !/^https?:\/\//.test(server)) {
    throw new KubeCredentialsError(`cluster "${clusterName}" has no http(s) server`);
  }
  for (const unsupported of ["insecure-skip-tls-verify", "tls-server-name", "proxy-url"]) {
    if (cluster[unsupported]) {
      throw new KubeCredentialsError(`cluster "${clusterName}": ${unsupported} is not supported`);
    }
  }
  for (const unsupported of ["exec", "auth-provider"]) {
    if (user[unsupported]) {
      throw new KubeCredentialsError(
        `user "${userName}": ${unsupported} credential plugins are not supported; use a token or a client certificate`,
      );
    }
  }

  const caCerts: string[] = [];
  if (str(cluster["certificate-authority-data"])) {
    caCerts.push(decodeBase64(cluster["certificate-authority-data"] as string, "certificate-authority-data"));
  } else if (str(cluster["certificate-authority"])) {
    caCerts.push(await readText(file(cluster["certificate-authority"] as string), "certificate-authority"));
  }

  const pem = async (dataKey: string, fileKey: string) =>
    str(user[dataKey])
      ? decodeBase64(user[dataKey] as string, dataKey)
      : str(user[fileKey])
      ? await readText(file(user[fileKey] as string), fileKey)
      : undefined;
  const cert = await pem("client-certificate-data", "client-certificate");
  const key = await pem("client-key-data", "client-key");
  if ((cert === undefined) !== (key === undefined)) {
    throw new KubeCredentialsError(
      `user "${userName}": a client certificate needs its key, and a key its certificate`,
    );
  }

  let authorization: () => Promise<string | undefined> = () => Promise.resolve(undefined);
  if (str(user.token)) {
    const header = `Bearer ${(user.token as string).trim()}`;
    authorization = () => Promise.resolve(header);
  } else if (str(user.tokenFile)) {
    authorization = tokenFile(file(user.tokenFile as string));
  } else if (str(user.username) && typeof user.password === "string") {
    const header = `Basic ${new TextEncoder().encode(`${user.username}:${user.password}`).toBase64()}`;
    authorization = () => Promise.resolve(header);
  }

  return {
    server,
    caCerts,
    ...(cert !== undefined && key !== undefined && { clientCert: { cert, key } }),
    authorization,
    ...(str(ctx.namespace) && { namespace: ctx.namespace as string }),
    source: `kubeconfig ${path} context ${contextName}`,
  };
}

/** The HTTP client for `credentials`; `undefined` when the default one does (no CA, no client cert). */
export function httpClientFor(credentials: KubeCredentials): Deno.HttpClient | undefined {
  if (credentials.caCerts.length === 0 && !credentials.clientCert) return undefined;
  return Deno.createHttpClient({
    ...(credentials.caCerts.length > 0 && { caCerts: credentials.caCerts }),
    ...credentials.clientCert,
  });
}
