/**
 * What the real filter would decide for given requests under given resources: the resources are
 * compiled exactly as the policy server compiles them and run through `simulator/`. The library
 * part (`simulate`, `compileSimulator`, `loadResources`) serves check-routes and the tests; `main`
 * is `deno task simulate`.
 *
 * ```sh
 * deno task simulate --resources examples/header-routing/routes.yaml \
 *   --request '{"host": "my-server", "path": "/", "headers": {"version": "new"}}'
 * deno task simulate --resources examples/canary --requests requests.jsonl
 * ```
 *
 * @example
 * ```ts ignore
 * import { simulate } from "./simulate.ts";
 * const [d] = await simulate(routes, [{ method: "GET", host: "my-server", path: "/", headers: { version: "new" } }]);
 * d.backend; // "devopssong/my-server-v2:80"
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { compile, type CompileResult } from "../policy-server/compile/mod.ts";
import { renderWasmPlugin } from "../policy-server/delivery/wasmplugin/render_wasmplugin.ts";
import { DEFAULT_FILTER_WASM } from "../policy-server/delivery/transports/filter_module.ts";
import { admitResources } from "../policy-server/model/admit_resources.ts";
import { decodeResources } from "../policy-server/model/decode_resources.ts";
import type { KubeObject } from "../policy-server/model/types.ts";
import {
  checkSimRequest,
  type SimDecision,
  SimInputError,
  type SimRequest,
  Simulator,
} from "../simulator/mod.ts";
import { EnvoySimulator } from "../simulator/envoy/envoy_simulator.ts";
import { findEnvoy, NO_ENVOY } from "../simulator/envoy/find_envoy.ts";
import { tableBackends } from "./envoy/table_backends.ts";

/**
 * The filter module, built first when missing (a fresh checkout). The compiler loads only then: it
 * takes seconds, and the module is usually there.
 */
export async function builtFilterWasm(): Promise<Uint8Array> {
  try {
    return await Deno.readFile(DEFAULT_FILTER_WASM);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.error("simulate: filter/build/filter.wasm is missing: building it first");
    const { buildFilter } = await import("./build_filter.ts");
    return await buildFilter();
  }
}

// --- resources ----------------------------------------------------------------------------------

const RESOURCE_FILE = /\.(ya?ml|json)$/i;

/**
 * Reads Kubernetes objects from a YAML/JSON file, or from every `.yaml`, `.yml` and `.json` file of a
 * directory (not recursive, in name order).
 *
 * @throws {SimInputError} naming the file that could not be read or parsed.
 */
export async function loadResources(path: string): Promise<KubeObject[]> {
  let files = [path];
  try {
    if ((await Deno.stat(path)).isDirectory) {
      files = [];
      for await (const e of Deno.readDir(path)) {
        if (e.isFile && RESOURCE_FILE.test(e.name)) files.push(`${path}/${e.name}`);
      }
      files.sort();
      if (files.length === 0) {
        throw new SimInputError(`${path}: no .yaml, .yml or .json files in this directory`);
      }
    }
  } catch (error) {
    if (error instanceof SimInputError) throw error;
    throw new SimInputError(`${path}: ${describeFsError(error)}`);
  }
  const objects: KubeObject[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (error) {
      throw new SimInputError(`${file}: ${describeFsError(error)}`);
    }
    objects.push(...parseResourcesText(text, file));
  }
  return objects;
}

/**
 * Parses resource text with the policy server's strict field validation (a misspelt field is refused
 * here as it would be there); errors name `source`.
 */
export function parseResourcesText(text: string, source = "resources"): KubeObject[] {
  try {
    return decodeResources(text, undefined);
  } catch (error) {
    throw new SimInputError(`${source}: ${(error as Error).message.split("\n")[0]}`);
  }
}

/** A file system error in one line a user acts on (no stack, no errno noise). */
export function describeFsError(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file or directory";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return (error as Error).message.split("\n")[0];
}

/**
 * HTTPRoutes go through the policy server's admission (validation, namespace defaulting), as when
 * POSTed; other kinds (Gateway, ReferenceGrant, Service) reach the compiler as given.
 */
function admit(resources: KubeObject[]): KubeObject[] {
  for (const [i, r] of resources.entries()) {
    if (!isRecord(r) || typeof r.kind !== "string") {
      throw new SimInputError(`resources[${i}]: expected a Kubernetes object with a kind`);
    }
  }
  const routes = resources.filter((r) => r.kind === "HTTPRoute");
  let admitted: KubeObject[] = [];
  try {
    if (routes.length) admitted = admitResources(routes);
  } catch (error) {
    throw new SimInputError((error as Error).message.split("\n")[0]);
  }
  return [...admitted, ...resources.filter((r) => r.kind !== "HTTPRoute")];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A simulator over compiled resources, with the compile result (rule table, route statuses). */
export interface CompiledSimulator {
  compiled: CompileResult;
  simulator: Simulator;
}

/**
 * Compiles `resources` as the policy server does (HTTPRoutes admitted as when POSTed) and starts the
 * real filter with the blob, in the `pluginConfig` the server renders. `wasm` defaults to the built
 * filter (built first when missing).
 *
 * @throws {SimInputError} for invalid resources; Error if the filter refuses the blob.
 */
export async function compileSimulator(
  resources: KubeObject[] | object[],
  wasm?: Uint8Array,
): Promise<CompiledSimulator> {
  const compiled = await compile(admit(resources as KubeObject[]), { generation: 1 });
  const { pluginConfig } =
    renderWasmPlugin({ generation: 1, sha256: compiled.sha256, blob: compiled.blob }).spec;
  return {
    compiled,
    simulator: Simulator.start(pluginConfig, wasm ?? await builtFilterWasm(), {
      serviceAddresses: serviceAddresses(compiled),
    }),
  };
}

/** Each Service's primary cluster IP, from the table's frontends: where a mesh client connects to it. */
function serviceAddresses(compiled: CompileResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of compiled.table.frontends ?? []) out[f.service] ??= f.address;
  return out;
}

/**
 * What the real filter decides for each request under `resources` (HTTPRoutes; Gateways,
 * ReferenceGrants and Services are passed to the compiler too). One compile and one filter instance
 * serve all requests, in order.
 *
 * @throws {SimInputError} for invalid resources or requests, naming the field.
 */
export async function simulate(
  resources: object[],
  requests: SimRequest[],
  options: SimulateOptions = {},
): Promise<SimDecision[]> {
  const checked = requests.map((r, i) => checkSimRequest(r, `requests[${i}]`));
  if (options.host === "envoy") return await simulateInEnvoy(resources, checked, options.envoy);
  const { simulator } = await compileSimulator(resources);
  return checked.map((r) => simulator.decide(r));
}

/** Options of {@linkcode simulate}. */
export interface SimulateOptions {
  /**
   * Where the filter runs: the in-repo host (`emulator`, default) or a real Envoy (`envoy`: one
   * Envoy for the whole call, configured as Istio configures it; see simulator/envoy).
   */
  host?: "emulator" | "envoy";
  /** The Envoy binary; default {@linkcode findEnvoy}'s. */
  envoy?: string;
}

/** {@linkcode simulate} in a real Envoy: one compile, one Envoy, the requests in order. */
async function simulateInEnvoy(
  resources: object[],
  requests: SimRequest[],
  envoyPath?: string,
): Promise<SimDecision[]> {
  const envoy = envoyPath ?? await findEnvoy();
  if (!envoy) throw new SimInputError(NO_ENVOY);
  await builtFilterWasm();
  const compiled = await compile(admit(resources as KubeObject[]), { generation: 1 });
  const { pluginConfig } =
    renderWasmPlugin({ generation: 1, sha256: compiled.sha256, blob: compiled.blob }).spec;
  const sim = await EnvoySimulator.start(pluginConfig, requests, {
    envoy,
    wasmPath: DEFAULT_FILTER_WASM,
    clusters: tableBackends(compiled.table).map((b) => b.cluster),
    serviceAddresses: serviceAddresses(compiled),
  });
  try {
    return await sim.decideAll(requests);
  } finally {
    await sim.close();
  }
}

// --- CLI ---------------------------------------------------------------------------------------

export const USAGE =
  `Usage: deno task simulate --resources <file|dir> (--request '<json>' | --requests <file.jsonl>)

Runs requests through the real filter (filter/build/filter.wasm) with the rule table compiled from
the resources, and prints one JSON decision per line.

  --resources <file|dir>   HTTPRoutes (YAML or JSON; a directory: its .yaml, .yml and .json files)
  --request <json>         one request, e.g. '{"host": "my-server", "path": "/", "headers": {"version": "new"}}'
  --requests <file.jsonl>  one request per line (blank lines are skipped)
  --host emulator|envoy    where the filter runs: the in-repo proxy-wasm host (default) or a real
                           Envoy configured as Istio configures it (tools/ensure_envoy.sh installs one)
  --envoy <path>           the Envoy binary for --host envoy (default: WASMROUTE_ENVOY, .envoy/, PATH)
  --help                   this text

Request fields: method (GET), host, path (with ?query), headers ({name: value} or [[name, value]]),
scheme (http), port, gateway ("ns/name"), mesh ({clientNamespace, destinationService, destinationPort,
destinationAddress}: the connection goes to the Service's cluster IP, whatever host says),
backendResponseHeaders. See docs/route-tests.md.`;

/** Parses one JSON request per line; errors name the line. */
export function parseRequestLines(text: string, source: string): SimRequest[] {
  const out: SimRequest[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new SimInputError(`${source} line ${i + 1}: invalid JSON: ${(error as Error).message}`);
    }
    try {
      out.push(checkSimRequest(value));
    } catch (error) {
      throw new SimInputError(`${source} line ${i + 1}: ${(error as Error).message}`);
    }
  });
  if (out.length === 0) throw new SimInputError(`${source}: no requests`);
  return out;
}

/** The CLI; returns the exit code (0 ok, 2 bad input). */
export async function main(args: string[]): Promise<number> {
  const fail = (message: string) => {
    console.error(`simulate: ${message}`);
    return 2;
  };
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        resources: { type: "string" },
        request: { type: "string" },
        requests: { type: "string" },
        host: { type: "string" },
        envoy: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(`${(error as Error).message.split(". ")[0]} (see --help)`);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.resources) return fail("--resources is required (see --help)");
  if (values.host !== undefined && values.host !== "emulator" && values.host !== "envoy") {
    return fail(`--host "${values.host}": expected emulator or envoy`);
  }
  if ((values.request === undefined) === (values.requests === undefined)) {
    return fail("give either --request '<json>' or --requests <file.jsonl> (see --help)");
  }
  try {
    let requests: SimRequest[];
    if (values.request !== undefined) {
      let value: unknown;
      try {
        value = JSON.parse(values.request);
      } catch (error) {
        throw new SimInputError(`--request: invalid JSON: ${(error as Error).message}`);
      }
      try {
        requests = [checkSimRequest(value)];
      } catch (error) {
        throw new SimInputError(`--request: ${(error as Error).message}`);
      }
    } else {
      let text: string;
      try {
        text = await Deno.readTextFile(values.requests!);
      } catch (error) {
        throw new SimInputError(`${values.requests}: ${describeFsError(error)}`);
      }
      requests = parseRequestLines(text, values.requests!);
    }
    const resources = await loadResources(values.resources);
    const host = (values.host ?? "emulator") as "emulator" | "envoy";
    for (const d of await simulate(resources, requests, { host, envoy: values.envoy })) {
      console.log(JSON.stringify(d));
    }
    return 0;
  } catch (error) {
    if (error instanceof SimInputError) return fail(error.message);
    throw error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
