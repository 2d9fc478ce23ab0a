// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: keeps the plugin configuration per root context (as a real filter must:
// an update adds a root context while the old one still serves its streams), refuses the
// configuration "bad", tags each request with x-config and logs every lifecycle callback.
// Built by ../_fixtures.ts.

import { addHeader, bufferBytes, log, property as propertyValue } from "./_host_calls";

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const configs = new Map<u32, string>(); // root context id → configuration
const parents = new Map<u32, u32>();    // stream context id → root context id

function buffer(type: i32): string {
  const value = bufferBytes(type, 0, 0xffffffff);
  return value !== null ? value : "<none>";
}
function property(path: string): string {
  const value = propertyValue(path);
  return value !== null ? value : "<none>";
}

export function proxy_on_context_create(context: u32, parent: u32): void {
  if (parent) parents.set(context, parent);
  log("create " + context.toString() + " parent " + parent.toString() + " plugin " + property("plugin_name"));
}
export function proxy_on_vm_start(root: u32, vmConfigSize: u32): u32 {
  log("vm_start " + root.toString() + " vm config '" + buffer(6) + "'");
  return buffer(6) == "refuse" ? 0 : 1;
}
export function proxy_on_configure(root: u32, size: u32): u32 {
  const config = buffer(7);
  log("configure " + root.toString() + " '" + config + "' root_id '" + property("plugin_root_id") + "'");
  if (config == "bad") return 0;
  // Accepted by a fresh VM (the canary) but refused where other roots exist: a configure that
  // depends on VM state, which only the thread-local VM catches.
  if (config == "flaky" && configs.size > 0) return 0;
  configs.set(root, config);
  return 1;
}
export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  const root = parents.has(context) ? parents.get(context) : 0;
  const config = configs.has(root) ? configs.get(root) : "<unknown>";
  addHeader(0, "x-config", config);
  log("request " + context.toString() + " root " + root.toString());
  return 0;
}
export function proxy_on_request_body(context: u32, size: u32, endOfStream: u32): u32 {
  log("body " + context.toString() + " '" + buffer(0) + "' eos " + endOfStream.toString());
  return 0;
}
export function proxy_on_response_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  log("response " + context.toString() + " eos " + endOfStream.toString());
  return 0;
}
export function proxy_on_done(context: u32): u32 {
  log("done " + context.toString());
  return 1;
}
export function proxy_on_log(context: u32): void {
  log("log " + context.toString());
}
export function proxy_on_delete(context: u32): void {
  log("delete " + context.toString());
  configs.delete(context);
  parents.delete(context);
}
