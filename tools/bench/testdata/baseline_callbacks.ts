// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript: the baseline module (baseline.ts) plus the two per-stream callbacks the filter
// exports and the baseline does not, both doing nothing. Envoy enters a module for every per-stream
// callback it exports, so this module, against the baseline, prices those entries alone (the Envoy
// benchmark's breakdown, ../envoy_bench.ts).
export * from "./baseline";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }

export function proxy_on_response_headers(context: u32, headers: u32, endOfStream: u32): u32 { return 0; }
export function proxy_on_log(context: u32): void {}
