/**
 * The emulator and policy-server figures of the Summary as `docs/benchmarks.json` measures (the Envoy
 * ones come from envoy_bench_report.ts): the same numbers the Markdown shows, each with its target
 * and the host it was measured in.
 *
 * @module
 */
import type { BlobSizeResult } from "./blob_size.ts";
import type { CompileTimeResult } from "./compile_time.ts";
import type { Measure } from "./envoy_bench_report.ts";
import { type HotPathResult, keySizes } from "./filter_hot_path.ts";
import { fmt, jsonValue, median } from "./measure.ts";
import type { MemoryResult } from "./memory.ts";
import type { ServerResult } from "./server_throughput.ts";

/** The in-repo proxy-wasm host. */
export const IN_REPO_HOST = "in-repo proxy-wasm host (V8 in Deno, host functions in JS)";
const PWHOST = "pwhost (proxy-wasm-cpp-host, Envoy's ABI library, on the WAMR interpreter)";
const SERVER = "policy server (Deno, loopback)";

/** The Summary's emulator and server figures. */
export function emulatorMeasures(r: {
  hot: HotPathResult;
  compile: CompileTimeResult;
  blob: BlobSizeResult;
  server: ServerResult;
  memory: MemoryResult;
}): Measure[] {
  const out: Measure[] = [];
  const push = (
    name: string,
    value: number,
    unit: string,
    host: string,
    target: string | null = null,
    met: boolean | null = null,
  ) => out.push({ name, value: jsonValue(value), unit, target, met, host });
  const b = r.hot.baseline.headers.ns;
  const { thousand, smallest, largest } = keySizes(r.hot);
  push(
    `filter, ${fmt(thousand.rules)} rules: proxy_on_request_headers`,
    thousand.headers.ns,
    "ns",
    IN_REPO_HOST,
  );
  push(
    `filter / baseline module, ${fmt(thousand.rules)} rules`,
    thousand.headers.ns / b,
    "ratio",
    IN_REPO_HOST,
    "<= 1.5",
    thousand.headers.ns / b <= 1.5,
  );
  push(
    `filter / baseline module, ${fmt(thousand.rules)} rules, without the host's header write`,
    thousand.ownPart.ns / b,
    "ratio",
    IN_REPO_HOST,
    "<= 1.5",
    thousand.ownPart.ns / b <= 1.5,
  );
  if (r.hot.pwhost) {
    const x = r.hot.pwhost.filterNs / r.hot.pwhost.baselineNs;
    push(
      `filter / baseline module, ${fmt(r.hot.pwhost.rules)} rules, whole streams`,
      x,
      "ratio",
      PWHOST,
      "<= 1.5",
      x <= 1.5,
    );
  }
  const growth = largest.headers.ns / smallest.headers.ns;
  push(
    `filter, ${fmt(largest.rules)} rules / ${fmt(smallest.rules)} rules`,
    growth,
    "ratio",
    IN_REPO_HOST,
    "<= 1.3",
    growth <= 1.3,
  );
  const own = largest.ownPart.ns / smallest.ownPart.ns;
  push(
    `filter, ${fmt(largest.rules)} rules / ${fmt(smallest.rules)} rules, without the host's header write`,
    own,
    "ratio",
    IN_REPO_HOST,
    "<= 1.3",
    own <= 1.3,
  );
  const big = r.blob.sizes[r.blob.sizes.length - 1];
  push(`blob, packed, per rule at ${fmt(big.rules)} rules`, big.blob / big.rules, "bytes", SERVER);
  const plugin = Math.max(big.wasmPluginJson, big.wasmPluginYaml);
  push(`WasmPlugin at ${fmt(big.rules)} rules`, plugin, "bytes", SERVER, `< ${1 << 20}`, plugin < 1 << 20);
  push(
    `compile of ${fmt(r.compile.options.rules)} rules, from scratch`,
    median(r.compile.scratchMs),
    "ms",
    SERVER,
  );
  push(
    `compile of ${fmt(r.compile.options.rules)} rules, after one route changes`,
    median(r.compile.changedMs),
    "ms",
    SERVER,
  );
  push("POST /v1/routes, validated routes", r.server.post.perSecond, "requests/s", SERVER);
  push("GET /v1/blob", r.server.blob.perSecond, "requests/s", SERVER);
  const growthBytes = r.memory.filter.afterRequests - r.memory.filter.afterLoad;
  push(
    `filter linear memory growth over ${fmt(r.memory.options.requests)} requests`,
    growthBytes,
    "bytes",
    IN_REPO_HOST,
    "0",
    growthBytes === 0,
  );
  return out;
}
