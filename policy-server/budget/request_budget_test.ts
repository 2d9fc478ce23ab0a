import { Hono } from "hono";
import { assert, assertEquals } from "../../tests/assert.ts";
import { failureStatus, StatusError } from "../model/kube_status.ts";
import { requestBudget } from "./request_budget.ts";
import type { RequestBudgetOptions } from "./request_budget.ts";

/** An app whose one route reads the body (or not, with ?skip) behind the budget. */
function budgetApp(options: Partial<RequestBudgetOptions>, gate?: Promise<void>) {
  const app = new Hono();
  let reads = 0;
  app.use("*", requestBudget(options));
  app.post("/", async (c) => {
    await gate;
    if (c.req.query("skip") !== undefined) return c.text("not read");
    reads++;
    return c.text(String((await c.req.arrayBuffer()).byteLength));
  });
  app.onError((e, c) => {
    const code = e instanceof StatusError ? e.status : 500;
    return c.json(failureStatus(code, e.message), code as 400);
  });
  return { app, reads: () => reads };
}

/** A body stream that sends `chunks` and then, unless `end`, stalls forever. */
function trickle(chunks: Uint8Array[], end = true): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i < chunks.length) c.enqueue(chunks[i++]);
      else if (end) c.close();
      else return new Promise(() => {});
    },
  });
}
const post = (app: Hono, body: BodyInit, headers: Record<string, string> = {}, path = "/") =>
  app.request(path, { method: "POST", body, headers, duplex: "half" } as RequestInit);

Deno.test("requestBudget() refuses a declared Content-Length over the limit without reading a byte", async () => {
  const { app, reads } = budgetApp({ maxBodyBytes: 10 });
  const res = await post(app, "x".repeat(11), { "Content-Length": "11" });
  assertEquals([res.status, (await res.json()).message], [413, "the request body is larger than 10 bytes"]);
  assertEquals(reads(), 0);
  assertEquals(await (await post(app, "x".repeat(10))).text(), "10");
});

Deno.test("requestBudget() cuts a chunked body off at the limit", async () => {
  const { app } = budgetApp({ maxBodyBytes: 10 });
  const res = await post(app, trickle([new Uint8Array(6), new Uint8Array(6)]));
  assertEquals(res.status, 413);
});

Deno.test("requestBudget() answers 408 when the body stalls past the deadline", async () => {
  const { app } = budgetApp({ bodyTimeoutMs: 50 });
  const t0 = performance.now();
  const res = await post(app, trickle([new Uint8Array(3)], false));
  const ms = performance.now() - t0;
  assertEquals(res.status, 408);
  assert(ms < 1000, `${ms} ms`);
});

Deno.test("requestBudget() reads at most maxConcurrentBodies at once; the next waits its turn", async () => {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => open = resolve);
  /** A body that sends one byte, then waits for the gate. */
  const held = () => {
    let sent = false;
    return new ReadableStream<Uint8Array>({
      async pull(c) {
        if (!sent) {
          sent = true;
          return c.enqueue(new Uint8Array(1));
        }
        await gate;
        c.close();
      },
    });
  };
  const { app } = budgetApp({ maxConcurrentBodies: 2 });
  const reading = [post(app, held()), post(app, held())];
  await new Promise((r) => setTimeout(r, 20));
  // The third waits for a slot while both are taken.
  let third: number | undefined;
  const waiting = (async () => {
    const res = await post(app, "c");
    await res.text();
    third = res.status;
  })();
  // A request refused before its body is read neither holds a slot nor waits for one.
  assertEquals((await post(app, held(), {}, "/?skip")).status, 200);
  await new Promise((r) => setTimeout(r, 100));
  assertEquals(third, undefined, "the third body was read while two others held the slots");
  open();
  await waiting;
  assertEquals([...(await Promise.all(reading)).map((r) => r.status), third], [200, 200, 200]);
  assertEquals(await (await post(app, "e")).text(), "1", "slots are given back");
});

Deno.test("requestBudget() asks to close a connection whose body it did not read whole", async () => {
  const { app } = budgetApp({});
  const skipped = await post(app, "unread", {}, "/?skip");
  assertEquals(skipped.headers.get("Connection"), "close");
  const read = await post(app, "read");
  assertEquals(read.headers.get("Connection"), null);
});

Deno.test("requestBudget() leaves a body nobody reads unread, and requests without one alone", async () => {
  const { app, reads } = budgetApp({ bodyTimeoutMs: 50 });
  const res = await post(app, trickle([new Uint8Array(3)], false), {}, "/?skip");
  assertEquals([res.status, await res.text(), reads()], [200, "not read", 0]);
  assertEquals((await app.request("/", { method: "POST" })).status, 200);
});
