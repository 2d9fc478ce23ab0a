/** @jsxImportSource hono/jsx */
/**
 * `/console/try`: one request decided by the real filter module over the serving blob.
 *
 * @module
 */
import { Hono } from "hono";
import { ConsoleError } from "../console_error.ts";
import type { ConsoleKit, Json } from "../console_kit.tsx";
import { SimInputError, tryRequest } from "../try_request.ts";
import type { TryForm, TryResult } from "../try_request.ts";
import { TryResultView } from "./try_view.tsx";

/** The form, and with `?host=` the filter's decision and why. */
export function tryPage(kit: ConsoleKit): Hono {
  const ui = new Hono();
  ui.get("/try", async (c) => {
    const q = c.req.query();
    const form: TryForm = {
      method: q.method,
      host: q.host,
      path: q.path,
      headers: q.headers,
      gateway: q.gateway,
      port: q.port,
      clientNamespace: q.clientNamespace,
      destinationService: q.destinationService,
      destinationAddress: q.destinationAddress,
    };
    let result: TryResult | undefined;
    let error: string | undefined;
    if (q.host !== undefined) {
      try {
        const blobRes = await kit.api(c, "/v1/blob", { headers: { Accept: "application/octet-stream" } });
        if (!blobRes.ok) {
          const body: Json = await blobRes.json().catch(() => ({}));
          throw new ConsoleError(blobRes.status, body.message ?? `GET /v1/blob: HTTP ${blobRes.status}`);
        }
        const blob = new Uint8Array(await blobRes.arrayBuffer());
        const wasmRes = await kit.app.request("/v1/filter.wasm");
        if (!wasmRes.ok) throw new Error(`GET /v1/filter.wasm: HTTP ${wasmRes.status}`);
        const wasm = new Uint8Array(await wasmRes.arrayBuffer());
        result = tryRequest(wasm, {
          generation: Number(blobRes.headers.get("X-Wasmroute-Version")),
          sha256: (blobRes.headers.get("ETag") ?? "").replaceAll('"', ""),
          blob,
        }, form);
      } catch (e) {
        if (e instanceof SimInputError || e instanceof ConsoleError) error = e.message;
        else throw e;
      }
    }
    return kit.page(
      c,
      "Try a request",
      (
        <>
          <form method="get" action="/console/try" class="card">
            <div class="row">
              <div>
                <label for="method">Method</label>
                <select id="method" name="method">
                  {["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].map((m) => (
                    <option value={m} selected={(form.method ?? "GET").toUpperCase() === m}>{m}</option>
                  ))}
                </select>
              </div>
              <div>
                <label for="host">Host</label>
                <input
                  type="text"
                  id="host"
                  name="host"
                  value={form.host ?? ""}
                  required
                  placeholder="my-server"
                />
              </div>
              <div>
                <label for="port">Port (listener or Service port)</label>
                <input
                  type="text"
                  id="port"
                  name="port"
                  value={form.port ?? ""}
                  inputmode="numeric"
                  placeholder="80"
                />
              </div>
              <div>
                <label for="path">Path (and query)</label>
                <input type="text" id="path" name="path" value={form.path ?? "/"} />
              </div>
              <div>
                <label for="gateway">Gateway (namespace/name, optional)</label>
                <input
                  type="text"
                  id="gateway"
                  name="gateway"
                  value={form.gateway ?? ""}
                  placeholder="istio-ingress/gateway"
                />
              </div>
              <div>
                <label for="clientNamespace">Mesh client namespace (optional: a sidecar's request)</label>
                <input
                  type="text"
                  id="clientNamespace"
                  name="clientNamespace"
                  value={form.clientNamespace ?? ""}
                  placeholder="bookinfo"
                />
              </div>
              <div>
                <label for="destinationService">
                  Mesh destination Service (optional: where the connection goes, if not to the one named
                  above)
                </label>
                <input
                  type="text"
                  id="destinationService"
                  name="destinationService"
                  value={form.destinationService ?? ""}
                  placeholder="ratings.bookinfo"
                />
              </div>
              <div>
                <label for="destinationAddress">
                  Mesh destination address (optional: an IP instead of the Service's cluster IP)
                </label>
                <input
                  type="text"
                  id="destinationAddress"
                  name="destinationAddress"
                  value={form.destinationAddress ?? ""}
                  placeholder="10.96.0.20"
                />
              </div>
            </div>
            <label for="headers">
              Headers (one <code>name: value</code> per line)
            </label>
            <textarea id="headers" name="headers" rows={4}>{form.headers ?? ""}</textarea>
            <button type="submit">Try</button>
          </form>
          {error && <div class="err" role="alert">{error}</div>}
          {result && <TryResultView r={result} />}
        </>
      ),
    );
  });
  return ui;
}
