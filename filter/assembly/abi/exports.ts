// The proxy-wasm ABI v0.2.1 entry points. Each looks up its context and calls a hook; an id the
// module does not know is answered with the neutral value instead of a trap.
import { Context, createContext, FilterHeadersStatus, roots, streams } from "./runtime";

// Envoy calls several hooks of one stream in a row (headers, done, log, delete): the last stream
// looked up is kept so that each call does not search the map again.
let lastId: u32 = 0;
let last: Context | null = null;

function stream(contextId: u32): Context | null {
  if (contextId == lastId && last !== null) return last;
  const found = streams.get(contextId);
  if (found === null) return null;
  lastId = contextId;
  last = found;
  return found;
}

export function proxy_abi_version_0_2_1(): void {}

/** The host allocates the buffers it returns (header values, configuration) here. */
export function malloc(size: usize): usize {
  return heap.alloc(size);
}

export function proxy_on_memory_allocate(size: usize): usize {
  return heap.alloc(size);
}

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void {
  if (contextId == lastId) last = null;
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
  const s = stream(contextId);
  return s !== null ? s.onRequestHeaders(headerCount, endOfStream) : FilterHeadersStatus.Continue;
}

export function proxy_on_response_headers(contextId: u32, headerCount: u32, endOfStream: bool): u32 {
  const s = stream(contextId);
  return s !== null ? s.onResponseHeaders(headerCount, endOfStream) : FilterHeadersStatus.Continue;
}

export function proxy_on_done(contextId: u32): bool {
  const s = stream(contextId);
  if (s !== null) return s.onDone();
  if (roots.has(contextId)) return roots.get(contextId).onDone();
  return true;
}

export function proxy_on_log(contextId: u32): void {
  const s = stream(contextId);
  if (s !== null) s.onLog();
}

export function proxy_on_delete(contextId: u32): void {
  const s = stream(contextId);
  if (s !== null) {
    s.onDelete();
    streams.delete(contextId);
    last = null;
    s.root.contextDeleted(s);
  } else if (roots.has(contextId)) {
    roots.get(contextId).onDelete();
    roots.delete(contextId);
  }
}
