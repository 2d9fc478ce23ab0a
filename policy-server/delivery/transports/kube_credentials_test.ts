import { stringify } from "yaml";
import { assertEquals, assertRejects } from "../../../tests/assert.ts";
import { inClusterCredentials, kubeconfigCredentials } from "./kube_credentials.ts";
import { TEST_TLS } from "./testing_kube_api.ts";

const b64 = (text: string) => new TextEncoder().encode(text).toBase64();

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-kubecreds-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A kubeconfig with one context per user entry, all on one cluster. */
function kubeconfig(
  cluster: Record<string, unknown>,
  users: Record<string, Record<string, unknown>>,
  current?: string,
) {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    ...(current && { "current-context": current }),
    clusters: [{ name: "c", cluster }],
    users: Object.entries(users).map(([name, user]) => ({ name, user })),
    contexts: Object.keys(users).map((name) => ({
      name,
      context: { cluster: "c", user: name, namespace: `ns-${name}` },
    })),
  });
}

Deno.test("inClusterCredentials reads the service account and the API server's address", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/token`, "first-token\n");
    await Deno.writeTextFile(`${dir}/ca.crt`, TEST_TLS.ca);
    await Deno.writeTextFile(`${dir}/namespace`, "wasmroute-system");
    const env = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" } as Record<
      string,
      string
    >;
    const creds = await inClusterCredentials({ dir, env: (n) => env[n] });
    assertEquals([creds.server, creds.caCerts, creds.namespace, creds.clientCert], [
      "https://10.96.0.1:443",
      [TEST_TLS.ca],
      "wasmroute-system",
      undefined,
    ]);
    assertEquals(await creds.authorization(), "Bearer first-token");
    // The kubelet rotates projected tokens: each request reads the file again.
    await Deno.writeTextFile(`${dir}/token`, "rotated-token");
    assertEquals(await creds.authorization(), "Bearer rotated-token");

    const v6 = { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "6443" } as Record<
      string,
      string
    >;
    assertEquals((await inClusterCredentials({ dir, env: (n) => v6[n] })).server, "https://[fd00::1]:6443");
  });
});

Deno.test("inClusterCredentials says what is missing outside a pod", async () => {
  await withDir(async (dir) => {
    await assertRejects(() => inClusterCredentials({ dir, env: () => undefined }), "KUBERNETES_SERVICE_HOST");
    const env = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" } as Record<
      string,
      string
    >;
    await assertRejects(() => inClusterCredentials({ dir, env: (n) => env[n] }), `${dir}/token`);
    await Deno.writeTextFile(`${dir}/token`, "");
    await assertRejects(() => inClusterCredentials({ dir, env: (n) => env[n] }), "is empty");
  });
});

Deno.test("kubeconfigCredentials: token, client certificate (data or files), basic auth; CA data or file", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/pki`);
    await Deno.writeTextFile(`${dir}/pki/ca.crt`, TEST_TLS.ca);
    await Deno.writeTextFile(`${dir}/pki/client.crt`, TEST_TLS.clientCert);
    await Deno.writeTextFile(`${dir}/pki/client.key`, TEST_TLS.clientKey);
    await Deno.writeTextFile(`${dir}/pki/token`, "from-file\n");
    const path = `${dir}/config`;
    await Deno.writeTextFile(
      path,
      kubeconfig({ server: "https://127.0.0.1:6443/", "certificate-authority": "pki/ca.crt" }, {
        token: { token: "abc" },
        tokenfile: { tokenFile: "pki/token" },
        certdata: {
          "client-certificate-data": b64(TEST_TLS.clientCert),
          "client-key-data": b64(TEST_TLS.clientKey),
        },
        certfiles: { "client-certificate": "pki/client.crt", "client-key": `${dir}/pki/client.key` },
        basic: { username: "admin", password: "s3cret" },
      }, "token"),
    );

    const token = await kubeconfigCredentials(path);
    assertEquals([token.server, token.caCerts, token.namespace], [
      "https://127.0.0.1:6443",
      [TEST_TLS.ca],
      "ns-token",
    ]);
    assertEquals(await token.authorization(), "Bearer abc");
    assertEquals(token.source, `kubeconfig ${path} context token`);

    assertEquals(await (await kubeconfigCredentials(path, "tokenfile")).authorization(), "Bearer from-file");
    for (const context of ["certdata", "certfiles"]) {
      const creds = await kubeconfigCredentials(path, context);
      assertEquals(creds.clientCert, { cert: TEST_TLS.clientCert, key: TEST_TLS.clientKey }, context);
      assertEquals(await creds.authorization(), undefined, context);
    }
    assertEquals(
      await (await kubeconfigCredentials(path, "basic")).authorization(),
      `Basic ${b64("admin:s3cret")}`,
    );

    await Deno.writeTextFile(
      path,
      kubeconfig(
        { server: "https://k8s:443", "certificate-authority-data": b64(TEST_TLS.ca) },
        { u: {} },
        "u",
      ),
    );
    assertEquals((await kubeconfigCredentials(path)).caCerts, [TEST_TLS.ca]);
  });
});

Deno.test("kubeconfigCredentials refuses what it cannot honour, naming it", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/config`;
    const cases: [string, string][] = [
      [kubeconfig({ server: "https://k8s" }, { u: {} }), "no current-context"],
      [kubeconfig({ server: "https://k8s" }, { u: {} }, "nope"), 'no context "nope"'],
      [kubeconfig({}, { u: {} }, "u"), "no http(s) server"],
      [
        kubeconfig({ server: "https://k8s", "insecure-skip-tls-verify": true }, { u: {} }, "u"),
        "insecure-skip-tls-verify",
      ],
      [
        kubeconfig({ server: "https://k8s" }, { u: { exec: { command: "aws" } } }, "u"),
        "exec credential plugins",
      ],
      [
        kubeconfig({ server: "https://k8s" }, { u: { "client-certificate-data": b64("x") } }, "u"),
        "needs its key",
      ],
      [
        kubeconfig({ server: "https://k8s", "certificate-authority": "missing.crt" }, { u: {} }, "u"),
        "missing.crt",
      ],
      ["- just a list", "is empty"],
    ];
    for (const [text, message] of cases) {
      await Deno.writeTextFile(path, text);
      await assertRejects(() => kubeconfigCredentials(path), message);
    }
    await assertRejects(() => kubeconfigCredentials(`${dir}/absent`), "cannot read the kubeconfig");
  });
});
