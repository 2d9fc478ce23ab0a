import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { ConfigError, parseConfig } from "../../config.ts";
import { DeliveryConfigError, parseDeliveryConfig } from "./delivery_config.ts";
import { checkFlavours, FlavourError, parseFlavour } from "../wasmplugin/flavours.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];
const SHA = "ab".repeat(32);

Deno.test("delivery flags: defaults, flags, and the environment under them", () => {
  assertEquals(parseDeliveryConfig({}, env({})), {
    flavours: [{ kind: "mesh" }],
    kubeApply: false,
    kubeCreate: false,
  });
  assertEquals(
    parseDeliveryConfig({
      "plugin-flavour": ["mesh", "gateway:istio-ingress/gateway"],
      "kube-apply": true,
      "kube-create": true,
      "gitops-dir": "/srv/gitops",
      "filter-wasm": "/app/filter.wasm",
      "plugin-sha256": SHA.toUpperCase(),
    }, env({})),
    {
      flavours: [{ kind: "mesh" }, { kind: "gateway", namespace: "istio-ingress", name: "gateway" }],
      kubeApply: true,
      kubeCreate: true,
      gitopsDir: "/srv/gitops",
      filterWasm: "/app/filter.wasm",
      pluginSha256: SHA,
    },
  );
  const vars = env({
    WASMROUTE_PLUGIN_FLAVOURS: " gateway:a/b , gateway:c/d ",
    WASMROUTE_KUBECONFIG: "/home/me/.kube/config",
    WASMROUTE_KUBE_CONTEXT: "kind-kind",
    WASMROUTE_KUBE_CREATE: "1",
    WASMROUTE_GITOPS_DIR: "/env/dir",
    WASMROUTE_PLUGIN_SHA256: "auto",
  });
  const http = { url: "http://wasmroute-policy-server.wasmroute-system.svc:8080/v1/filter.wasm" };
  assertEquals(parseDeliveryConfig({}, vars, http), {
    flavours: [{ kind: "gateway", namespace: "a", name: "b" }, {
      kind: "gateway",
      namespace: "c",
      name: "d",
    }],
    kubeApply: true, // a kubeconfig means Kubernetes delivery
    kubeconfig: "/home/me/.kube/config",
    kubeContext: "kind-kind",
    kubeCreate: true,
    gitopsDir: "/env/dir",
    pluginSha256: "auto",
  });
  const flags = parseDeliveryConfig({ "gitops-dir": "/flag/dir", "kube-create": false }, vars, http);
  assertEquals([flags.gitopsDir, flags.kubeCreate], ["/flag/dir", false]);
  assertEquals(parseDeliveryConfig({}, env({ WASMROUTE_KUBE_APPLY: "true" })).kubeApply, true);
});

Deno.test("delivery flags: refusals", () => {
  const cases: [Record<string, unknown>, Record<string, string>, string][] = [
    [{ "plugin-flavour": ["sidecar"] }, {}, 'must be "mesh" or "gateway:NAMESPACE/NAME"'],
    [{ "plugin-flavour": ["mesh", "mesh"] }, {}, 'flavour "mesh" is given twice'],
    [
      { "plugin-flavour": ["mesh", "gateway:istio-system/gw"] },
      {},
      'flavours "mesh" and "gateway:istio-system/gw" both',
    ],
    [{ "plugin-flavour": ["gateway:a/x", "gateway:a/y"] }, {}, "both render the WasmPlugin a/wasmroute"],
    [{ "plugin-sha256": "abc" }, {}, "neither 64 hex digits nor auto"],
    [{ "kube-context": "x" }, {}, "--kube-context needs --kubeconfig"],
    [{}, { WASMROUTE_KUBE_APPLY: "maybe" }, 'WASMROUTE_KUBE_APPLY="maybe" is not true or false'],
  ];
  for (const [values, vars, message] of cases) {
    assertThrows(() => parseDeliveryConfig(values, env(vars)), DeliveryConfigError, message);
  }
  // The mesh flavour is wherever --plugin-namespace puts it.
  assertThrows(
    () =>
      parseDeliveryConfig({ "plugin-flavour": ["mesh", "gateway:istio-ingress/gw"] }, env({}), {
        namespace: "istio-ingress",
      }),
    DeliveryConfigError,
    "both render the WasmPlugin istio-ingress/wasmroute",
  );
  // auto is the module's digest, which Istio compares only for http(s) urls (the default is oci://).
  assertThrows(
    () => parseDeliveryConfig({ "plugin-sha256": "auto" }, env({})),
    DeliveryConfigError,
    "http(s)",
  );
  assertThrows(
    () =>
      parseDeliveryConfig({ "plugin-sha256": "auto" }, env({}), {
        url: "oci://ghcr.io/wasmroute/filter:0.1.0",
      }),
    DeliveryConfigError,
    "only an http(s) url",
  );
  assertEquals(
    parseDeliveryConfig({ "plugin-sha256": "auto" }, env({}), { url: "http://wasmroute:8080/v1/filter.wasm" })
      .pluginSha256,
    "auto",
  );
});

Deno.test("parseConfig parses the delivery flags and reports their errors as ConfigError", () => {
  const config = parseConfig(
    [
      "--kube-apply",
      "--plugin-flavour",
      "mesh",
      "--plugin-flavour",
      "gateway:istio-ingress/gateway",
      "--gitops-dir",
      "out",
    ],
    env({ WASMROUTE_PLUGIN_NAMESPACE: "istio-system" }),
  );
  assertEquals(config !== "help" && config.delivery, {
    flavours: [{ kind: "mesh" }, { kind: "gateway", namespace: "istio-ingress", name: "gateway" }],
    kubeApply: true,
    kubeCreate: false,
    gitopsDir: "out",
  });
  assertThrows(
    () => parseConfig(["--plugin-flavour", "gateway:../x"], env({})),
    ConfigError,
    "NAMESPACE/NAME",
  );
  assertThrows(
    () => parseConfig(["--plugin-sha256", "auto", "--plugin-url", "oci://r/f:1"], env({})),
    ConfigError,
    "http(s)",
  );
});

Deno.test("flavours: mesh and gateway:NS/NAME; distinct objects", () => {
  assertEquals(parseFlavour("gateway:istio-ingress/gw.v1"), {
    kind: "gateway",
    namespace: "istio-ingress",
    name: "gw.v1",
  });
  checkFlavours([parseFlavour("mesh"), parseFlavour("gateway:istio-ingress/gw")]);
  assertThrows(
    () => checkFlavours([parseFlavour("gateway:a/x"), parseFlavour("gateway:a/x")]),
    FlavourError,
    "twice",
  );
});
