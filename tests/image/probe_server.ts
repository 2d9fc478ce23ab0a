/**
 * Test helper, run beside a container by `run_pod.ts`: asks a freshly started policy server what a
 * new user asks first, and prints what it answered as one JSON object (the test judges it).
 *
 * `deno run --allow-net --allow-read --allow-env probe_server.ts BASE_URL ROUTES_FILE`; the API token
 * is `$PROBE_TOKEN`.
 *
 * @module
 */
import { Buffer } from "node:buffer";

const [base, routesFile] = Deno.args;
const token = Deno.env.get("PROBE_TOKEN") ?? "";
const auth = { Authorization: `Bearer ${token}` };

/** Milliseconds from now until `GET /healthz` answers 200 (null: not within `limitMs`). */
async function firstHealthy(limitMs: number): Promise<number | null> {
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    try {
      const res = await fetch(`${base}/healthz`);
      await res.body?.cancel();
      if (res.status === 200) return Math.round(performance.now() - start);
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return null;
}

async function answer(path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, { redirect: "manual", ...init });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    location: res.headers.get("location"),
    bytes,
  };
}

const hex = async (b: Uint8Array) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", b as Uint8Array<ArrayBuffer>)).toString("hex");
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const healthyAfterMs = await firstHealthy(60_000);
const result: Record<string, unknown> = { healthyAfterMs };
if (healthyAfterMs !== null) {
  const routes = await Deno.readTextFile(routesFile);
  const post = (headers: Record<string, string>) =>
    answer("/v1/routes", {
      method: "POST",
      headers: { "Content-Type": "application/yaml", ...headers },
      body: routes,
    });
  const readyz = await answer("/readyz");
  const anonymous = await post({});
  const posted = await post(auth);
  const query = new URLSearchParams({ method: "GET", host: "my-server", path: "/", headers: "version: new" });
  const tried = await answer(`/console/try?${query}`, { headers: auth });
  const wasm = await answer("/v1/filter.wasm");
  const root = await answer("/");
  Object.assign(result, {
    readyz: readyz.status,
    postWithoutToken: anonymous.status,
    postWithToken: posted.status,
    postBody: text(posted.bytes).slice(0, 300),
    tryStatus: tried.status,
    tryPage: text(tried.bytes),
    wasmStatus: wasm.status,
    wasmType: wasm.type,
    wasmSha256: await hex(wasm.bytes),
    rootStatus: root.status,
    rootLocation: root.location,
  });
}
console.log(JSON.stringify(result));
