// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript fixture: keeps the plugin configuration per root context (as a real filter must:
// an update adds a root context while the old one still serves its streams), refuses the
// configuration "bad", tags each request with x-config and logs every lifecycle callback.
// Built by ../_fixtures.ts.

@external("env", "proxy_log") declare function proxy_log(level: i32, ptr: usize, size: usize): i32;
@external("env", "proxy_get_buffer_bytes") declare function proxy_get_buffer_bytes(buffer: i32, start: usize, maxSize: usize, ptrPtr: usize, sizePtr: usize): i32;
@external("env", "proxy_get_property") declare function proxy_get_property(pathPtr: usize, pathSize: usize, valuePtrPtr: usize, valueSizePtr: usize): i32;
@external("env", "proxy_add_header_map_value") declare function proxy_add_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): i32;

function abort_handler(message: usize, file: usize, line: u32, column: u32): void { unreachable(); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_abi_version_0_2_1(): void {}

const ret = memory.data(8);
const configs = new Map<u32, string>(); // root context id → configuration
const parents = new Map<u32, u32>();    // stream context id → root context id

function log(message: string): void {
  const b = String.UTF8.encode(message);
  proxy_log(2, changetype<usize>(b), b.byteLength);
}
function buffer(type: i32): string {
  if (proxy_get_buffer_bytes(type, 0, 0xffffffff, ret, ret + 4) != 0) return "<none>";
  const size = load<usize>(ret + 4);
  return size ? String.UTF8.decodeUnsafe(load<usize>(ret), size) : "";
}
function property(path: string): string {
  const p = String.UTF8.encode(path);
  if (proxy_get_property(changetype<usize>(p), p.byteLength, ret, ret + 4) != 0) return "<none>";
  return String.UTF8.decodeUnsafe(load<usize>(ret), load<usize>(ret + 4));
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
  const k = String.UTF8.encode("x-config"); const v = String.UTF8.encode(config);
  proxy_add_header_map_value(0, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
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
