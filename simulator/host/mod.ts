/**
 * An in-repo Proxy-Wasm host: runs the real compiled filter (`.wasm`) in Deno's V8 the way Envoy
 * runs it through proxy-wasm-cpp-host, so tests, the simulator and the CLI can trust it instead of
 * Envoy. Checked against pwhost (cpp-host itself on WAMR) by `cross_host_test.ts`.
 *
 * ```text
 *  HostEmulator (proxytest API)     runScenario (pwhost's scenario → pwhost's report)
 *            \                         /
 *             ProxyWasmHost: base VM, canary, thread-local VM, plugins, fail strategy
 *                         |
 *             WasmVm: instance, memory, contexts, traps → FailState
 *                  |               \
 *         HostContext: callbacks     abi_imports: env.proxy_* and WASI, marshalled as cpp-host
 *         + Envoy-like host state
 * ```
 *
 * - ABI 0.2.1 (and 0.2.0/0.1.0) host functions, statuses as `WasmResult` numbers, results written
 *   to memory allocated with the module's `malloc`; bad pointers are `InvalidMemoryAccess`.
 * - Missing or mistyped imports fail the load with an error naming them; traps fail the VM
 *   (`RuntimeError`), are reported in WAMR's words, and later requests follow `failStrategy`.
 * - Context ids, status conversions (`StopIteration` → `StopAllIterationAndWatermark`, a local
 *   reply stops the stream) and the canary that rejects a bad configuration are cpp-host's.
 *
 * @example
 * ```ts ignore
 * import { emulatorOptions, newHostEmulator } from "./mod.ts";
 * const host = newHostEmulator(emulatorOptions().withWasm("filter/build/filter.wasm").withPluginConfiguration(blob));
 * if (!host.startPlugin()) throw new Error(host.getErrors().join("\n"));
 * const id = host.initializeHttpContext();
 * host.callOnRequestHeaders(id, [[":method", "GET"], [":path", "/"], ["version", "new"]], true);
 * console.log(host.getCurrentRequestHeaders(id), host.getSentLocalResponse(id));
 * host.completeHttpContext(id);
 * ```
 *
 * @module
 */

export {
  compareWithReference,
  type Comparison,
  PWHOST_PATH,
  referenceHostAvailable,
  runInReferenceHost,
} from "./reference_host.ts";
export {
  type BytesLike,
  type EmulatorConfig,
  EmulatorOptions,
  emulatorOptions,
  HostEmulator,
  type HttpStream,
  newHostEmulator,
  type SentLocalResponse,
} from "./host_emulator.ts";
export {
  type ActivePlugin,
  type ConfigureResult,
  type FailAction,
  type HostOptions,
  type OpenStream,
  type PluginSpec,
  ProxyWasmHost,
} from "./proxy_wasm_host.ts";
export {
  type PluginReport,
  type Report,
  type RequestReport,
  type RunOptions,
  runScenario,
  type SkippedReport,
  type StepReport,
} from "./run_scenario.ts";
export { type DecisionView, decisionView } from "./decision_view.ts";
export { canonicalJson, parseScenario, type Scenario, ScenarioError } from "./parse_scenario.ts";
export { decodePairs, encodePairs, pairsSize } from "./pairs.ts";
export { sortedJson } from "./sorted_json.ts";
export { type ForeignFunction, HostState, type Metric, type PendingCall } from "./host_state.ts";
export { HostContext } from "./host_context.ts";
export { PluginHandle, trapMessage, WasmVm } from "./wasm_vm.ts";
export { createAbiImports, hostFunctionTypes } from "./abi_imports.ts";
export { parseWasmModule, type WasmModuleInfo } from "./parse_wasm_module.ts";
export * from "./types.ts";
