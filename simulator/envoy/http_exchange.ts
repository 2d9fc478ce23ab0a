/**
 * One HTTP/1.1 exchange over a fresh loopback connection, with the request's header pairs sent
 * exactly as given (repeated names stay separate entries, `:authority` becomes Host), which `fetch`
 * does not allow.
 *
 * @module
 */

/** A response as the client read it. */
export interface HttpResponse {
  status: number;
  /** Header pairs, names lower-case, in the order received. */
  headers: [string, string][];
  body: string;
}

/** Sends a request built from pseudo-headers (`:method`, `:path`, `:authority`) and plain ones. */
export async function httpExchange(
  port: number,
  headers: [string, string][],
  body = "",
): Promise<HttpResponse> {
  const pseudo = (name: string) => headers.find(([k]) => k === name)?.[1];
  const lines = [`${pseudo(":method") ?? "GET"} ${pseudo(":path") ?? "/"} HTTP/1.1`];
  const authority = pseudo(":authority") ?? pseudo("host");
  if (authority !== undefined) lines.push(`host: ${authority}`);
  for (const [k, v] of headers) if (!k.startsWith(":") && k !== "host") lines.push(`${k}: ${v}`);
  const bytes = new TextEncoder().encode(body);
  if (bytes.length > 0) lines.push(`content-length: ${bytes.length}`);
  lines.push("", "");
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await writeAll(conn, new TextEncoder().encode(lines.join("\r\n")));
    if (bytes.length > 0) await writeAll(conn, bytes);
    return parseResponse(await readAll(conn, pseudo(":method") === "HEAD"));
  } finally {
    try {
      conn.close();
    } catch { /* closed by the peer */ }
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off));
}

/**
 * Reads one response: up to its Content-Length, its last chunk, or the end of the connection. Envoy
 * may reset a `connection: close` connection right after the response, so the read stops as soon as
 * the response is complete.
 */
async function readAll(conn: Deno.Conn, head: boolean): Promise<Uint8Array> {
  let got = new Uint8Array(0);
  const buf = new Uint8Array(16384);
  while (!complete(got, head)) {
    let n: number | null;
    try {
      n = await conn.read(buf);
    } catch (e) {
      if (e instanceof Deno.errors.ConnectionReset && got.length > 0) break;
      throw e;
    }
    if (n === null) break;
    const next = new Uint8Array(got.length + n);
    next.set(got);
    next.set(buf.subarray(0, n), got.length);
    got = next;
  }
  return got;
}

/** Whether `raw` holds a whole response; the answer to a HEAD request has no body, whatever its headers say. */
function complete(raw: Uint8Array, headRequest: boolean): boolean {
  const text = new TextDecoder().decode(raw);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return false;
  if (headRequest) return true;
  const head = text.slice(0, end).toLowerCase();
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  const headBytes = new TextEncoder().encode(text.slice(0, end + 4)).length;
  if (length) return raw.length - headBytes >= Number(length[1]);
  if (/\r\ntransfer-encoding: *chunked/.test(head)) return text.endsWith("\r\n0\r\n\r\n");
  return /^http\/1\.[01] (1\d\d|204|304)/.test(head);
}

/** Parses a complete response (the connection was closed after it). */
export function parseResponse(raw: Uint8Array): HttpResponse {
  const text = new TextDecoder().decode(raw);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`incomplete HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...headerLines] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) throw new Error(`bad status line: ${statusLine}`);
  const headers = headerLines.map((l): [string, string] => {
    const colon = l.indexOf(":");
    return [l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim()];
  });
  let body = text.slice(end + 4);
  if (headers.some(([k, v]) => k === "transfer-encoding" && /chunked/i.test(v))) body = dechunk(body);
  return { status, headers, body };
}

function dechunk(body: string): string {
  let out = "";
  for (let at = 0;;) {
    const eol = body.indexOf("\r\n", at);
    const size = parseInt(body.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}
