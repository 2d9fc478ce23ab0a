// The proxy-wasm ABI v0.2.1 entry points. Each looks up its context and calls a hook; an id the
// module does not know is answered with the neutral value instead of a trap. Each callback is
// bracketed by enter/leave (./heap): the collector may run as the outermost one returns.
// `proxy_on_log` is not exported: the filter logs nothing at stream end, and Envoy enters a module
// for every per-stream callback it exports, on every request (docs/benchmarks.md, section 7).
import { enter, leave } from "./heap";
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
  enter();
  createContext(contextId, parentContextId);
  leave();
}

export function proxy_on_vm_start(rootId: u32, vmConfigurationSize: u32): bool {
  enter();
  const ok = roots.has(rootId) ? roots.get(rootId).onVmStart(vmConfigurationSize) : true;
  leave();
  return ok;
}

export function proxy_on_configure(rootId: u32, configurationSize: u32): bool {
  enter();
  const ok = roots.has(rootId) ? roots.get(rootId).onConfigure(configurationSize) : false;
  leave();
  return ok;
}

export function proxy_on_tick(rootId: u32): void {
  enter();
  if (roots.has(rootId)) roots.get(rootId).onTick();
  leave();
}

export function proxy_on_http_call_response(rootId: u32, token: u32, headerCount: u32, bodySize: u32, trailerCount: u32): void {
  enter();
  if (roots.has(rootId)) roots.get(rootId).onHttpCallResponse(token, headerCount, bodySize);
  leave();
}

export function proxy_on_request_headers(contextId: u32, headerCount: u32, endOfStream: bool): u32 {
  enter();
  const s = streams.get(contextId);
  const status = s !== null ? s.onRequestHeaders(headerCount, endOfStream) : FilterHeadersStatus.Continue;
  leave();
  return status;
}

export function proxy_on_response_headers(contextId: u32, headerCount: u32, endOfStream: bool): u32 {
  enter();
  const s = streams.get(contextId);
  const status = s !== null ? s.onResponseHeaders(headerCount, endOfStream) : FilterHeadersStatus.Continue;
  leave();
  return status;
}

export function proxy_on_done(contextId: u32): bool {
  enter();
  const s = streams.get(contextId);
  const done = s !== null ? s.onDone() : roots.has(contextId) ? roots.get(contextId).onDone() : true;
  leave();
  return done;
}

export function proxy_on_delete(contextId: u32): void {
  enter();
  const s = streams.get(contextId);
  if (s !== null) {
    s.onDelete();
    streams.delete(contextId);
    s.root.contextDeleted(s);
  } else if (roots.has(contextId)) {
    roots.get(contextId).onDelete();
    roots.delete(contextId);
  }
  leave();
}
