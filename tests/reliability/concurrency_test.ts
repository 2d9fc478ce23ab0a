// Concurrency over a real loopback server. The 20-client read-modify-write with If-Match is already
// in policy-server/app_test.ts ("20 concurrent clients updating one route with If-Match lose no
// update"), and 6 concurrent POSTs there too; this adds 50 concurrent POSTs of different routes: every
// one answered 201 and stored, each in its own blob generation, the last blob a compile of them all.
import { assert, assertEquals } from "../assert.ts";
import { compile } from "../../policy-server/compile/mod.ts";
import { sampleRoute } from "../../policy-server/model/testing.ts";
import { withServer } from "../../policy-server/testing.ts";

const CLIENTS = 50;

Deno.test(`concurrency: ${CLIENTS} concurrent POSTs of different routes are all stored`, async () => {
  await withServer(async (base, { store }) => {
    const answers = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const res = await fetch(`${base}/v1/routes`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(sampleRoute(`r${i}`, `ns-${i % 5}`)),
        });
        const body = await res.json();
        return { status: res.status, generation: body.blob?.generation as number };
      }),
    );
    const failures = answers.filter((a) => a.status !== 201).length;
    const stored = new Set((await store.list()).map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
    const lost = Array.from({ length: CLIENTS }, (_, i) => `ns-${i % 5}/r${i}`).filter((k) => !stored.has(k));
    console.log(`concurrency: cases tried ${CLIENTS}, failures ${failures}, lost writes ${lost.length}`);
    assertEquals(failures, 0);
    assertEquals(lost, []);
    const generations = answers.map((a) => a.generation).sort((a, b) => a - b);
    assertEquals(new Set(generations).size, CLIENTS, "two writes answered the same generation");
    const last = generations.at(-1)!;
    const final = await store.currentBlob();
    assert(final);
    assertEquals(final.sha256, (await compile(await store.list(), { generation: last })).sha256);
  });
});
