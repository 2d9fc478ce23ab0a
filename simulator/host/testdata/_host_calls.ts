// deno-lint-ignore-file
// deno-fmt-ignore-file
// AssemblyScript helpers the fixtures in this folder share: logging, header reads and writes,
// property and buffer reads, and the ABI's serialised header map. Not a fixture itself: each
// fixture imports what it uses (the compiler emits only the host imports a module calls, so a
// fixture imports no more host functions than before). ../_fixtures.ts keys its cache on this file.

@external("env", "proxy_log") declare function proxy_log(level: i32, ptr: usize, size: usize): i32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtrPtr: usize, valueSizePtr: usize): i32;
@external("env", "proxy_add_header_map_value") declare function proxy_add_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): i32;
@external("env", "proxy_replace_header_map_value") declare function proxy_replace_header_map_value(map: i32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): i32;
@external("env", "proxy_remove_header_map_value") declare function proxy_remove_header_map_value(map: i32, keyPtr: usize, keySize: usize): i32;
@external("env", "proxy_get_buffer_bytes") declare function proxy_get_buffer_bytes(buffer: i32, start: usize, maxSize: usize, ptrPtr: usize, sizePtr: usize): i32;
@external("env", "proxy_get_property") declare function proxy_get_property(pathPtr: usize, pathSize: usize, valuePtrPtr: usize, valueSizePtr: usize): i32;

// Where the host writes the pointer and size of what it returns.
const ret = memory.data(8);

/** Logs `message` at level info (2). */
export function log(message: string): void {
  const b = String.UTF8.encode(message);
  proxy_log(2, changetype<usize>(b), b.byteLength);
}

/** The text the host returned at `ret`, or null when the call's status is not Ok. */
function returned(status: i32): string | null {
  if (status != 0) return null;
  return String.UTF8.decodeUnsafe(load<usize>(ret), load<usize>(ret + 4));
}

/** The value of header `key` in `map`, or null when it is absent; `free` gives the host's copy back to the heap. */
export function headerValue(map: i32, key: string, free: bool = false): string | null {
  const k = String.UTF8.encode(key);
  const value = returned(proxy_get_header_map_value(map, changetype<usize>(k), k.byteLength, ret, ret + 4));
  if (value !== null && free) {
    const ptr = load<usize>(ret);
    if (ptr) heap.free(ptr);
  }
  return value;
}

/** Whether the host answers Ok for header `key` in `map`. */
export function hasHeader(map: i32, key: string): bool {
  const k = String.UTF8.encode(key);
  return proxy_get_header_map_value(map, changetype<usize>(k), k.byteLength, ret, ret + 4) == 0;
}

export function addHeader(map: i32, key: string, value: string): i32 {
  const k = String.UTF8.encode(key); const v = String.UTF8.encode(value);
  return proxy_add_header_map_value(map, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
}

export function replaceHeader(map: i32, key: string, value: string): i32 {
  const k = String.UTF8.encode(key); const v = String.UTF8.encode(value);
  return proxy_replace_header_map_value(map, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
}

export function removeHeader(map: i32, key: string): i32 {
  const k = String.UTF8.encode(key);
  return proxy_remove_header_map_value(map, changetype<usize>(k), k.byteLength);
}

/** Property `path` (segments joined by \0), or null when the host has none. */
export function property(path: string): string | null {
  const p = String.UTF8.encode(path);
  return returned(proxy_get_property(changetype<usize>(p), p.byteLength, ret, ret + 4));
}

/** Up to `maxSize` bytes of buffer `type` from `start`, or null when the host refuses. */
export function bufferBytes(type: i32, start: usize, maxSize: usize): string | null {
  return returned(proxy_get_buffer_bytes(type, start, maxSize, ret, ret + 4));
}

/** The ABI's header map: count, (name length, value length)*, (name \0 value \0)*. */
export function serializeHeaders(headers: string[][]): ArrayBuffer {
  let size = 4 + headers.length * 8;
  const parts = new Array<ArrayBuffer>();
  for (let i = 0; i < headers.length; i++) {
    const k = String.UTF8.encode(headers[i][0]); const v = String.UTF8.encode(headers[i][1]);
    parts.push(k); parts.push(v);
    size += k.byteLength + v.byteLength + 2;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, headers.length);
  let data = base + 4 + headers.length * 8;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    store<u32>(base + 4 + i * 4, part.byteLength);
    memory.copy(data, changetype<usize>(part), part.byteLength);
    data += part.byteLength;
    store<u8>(data++, 0);
  }
  return out;
}
