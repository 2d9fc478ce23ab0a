// The proxy-wasm ABI v0.2.1 entry points. Each looks up its context and calls a hook; an id the
// module does not know is answered with the neutral value instead of a trap.
import { allocHostBuffer } from "./host_buffers";
import { createContext, FilterHeadersStatus, roots, streams } from "./runtime";

export function proxy_abi_version_0_2_1(): void {}

/** The host allocates the buffers it returns (header values, configuration) here. */
export function malloc(size: usize): usize {
  return allocHostBuffer(size);
}

export function proxy_on_memory_allocate(size: usize): usize {
  return allocHostBuffer(size);
}

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void {
  createContext(contextId, parentContextId);
}

export function proxy_on_vm_start(rootId: u32, vmConfigurationSize: u32): bool {
  return roots.has(rootId) ? roots.get(rootId).onVmStart(vmConfigurationSize) : true;
}

export function proxy_on_configure(rootId: u32, configurationSize: u32): bool {
  return roots.has(rootId) ? roots.get(rootId).onConfigure(configurationSize) : false;
}

export function proxy_on_tick(rootId: u32): void {
  if (roots.has(rootId)) roots.get(rootId).onTick();
}

export function proxy_on_http_call_response(rootId: u32, token: u32, headerCount: u32, bodySize: u32, trailerCount: u32): void {
  if (roots.has(rootId)) roots.get(rootId).onHttpCallResponse(token, headerCount, bodySize);
}

export function proxy_on_request_headers(contextId: u32, headerCount: u32, endOfStream: bool): u32 {
  const s = streams.get(contextId);
  return s !== null ? s.onRequestHeaders(headerCount, endOfStream) : FilterHeadersStatus.Continue;
}

export function proxy_on_response_headers(contextId: u32, headerCount: u32, endOfStream: bool): u32 {
  const s = streams.get(contextId);
  return s !== null ? s.onResponseHeaders(headerCount, endOfStream) : FilterHeadersStatus.Continue;
}

export function proxy_on_done(contextId: u32): bool {
  const s = streams.get(contextId);
  if (s !== null) return s.onDone();
  if (roots.has(contextId)) return roots.get(contextId).onDone();
  return true;
}

export function proxy_on_log(contextId: u32): void {
  const s = streams.get(contextId);
  if (s !== null) s.onLog();
}

export function proxy_on_delete(contextId: u32): void {
  const s = streams.get(contextId);
  if (s !== null) {
    s.onDelete();
    streams.delete(contextId);
    s.root.contextDeleted(s);
  } else if (roots.has(contextId)) {
    roots.get(contextId).onDelete();
    roots.delete(contextId);
  }
}
