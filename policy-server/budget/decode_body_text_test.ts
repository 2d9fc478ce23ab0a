import { stringify } from "yaml";
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { decodeResources } from "../model/decode_resources.ts";
import { ResourceError } from "../model/resource_error.ts";
import { sampleRoute } from "../model/testing.ts";
import { decodeBodyText, OFF_THREAD_BYTES } from "./decode_body_text.ts";

/** A YAML stream of `n` sample routes, `edit` applied to each. */
function routesYaml(n: number, edit: (route: Record<string, unknown>) => void = () => {}): string {
  return Array.from({ length: n }, (_, i) => {
    const route = sampleRoute(`r${i}`, "team-a") as unknown as Record<string, unknown>;
    edit(route);
    return "---\n" + stringify(route);
  }).join("");
}

Deno.test("decodeBodyText() decodes a large YAML body in a worker exactly as in place", async () => {
  const text = routesYaml(200);
  assert(text.length > OFF_THREAD_BYTES);
  assertEquals(await decodeBodyText(text, "application/yaml"), decodeResources(text, "application/yaml"));
});

Deno.test("decodeBodyText() keeps the event loop free while a worker parses", async () => {
  const text = routesYaml(1500);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const t0 = performance.now();
  const objects = await decodeBodyText(text, "application/yaml");
  const ms = performance.now() - t0;
  clearInterval(timer);
  assertEquals(objects.length, 1500);
  // A parse in place would let no tick through; here most 5 ms ticks run.
  assert(ticks >= ms / 5 / 4, `${ticks} ticks in ${ms.toFixed(0)} ms`);
});

Deno.test("decodeBodyText() carries a worker's refusal and warnings over as in place", async () => {
  const text = routesYaml(150, (r) => ((r.spec as Record<string, unknown>).hostname = "typo.example.com"));
  const strict = await assertRejects(() => decodeBodyText(text, "application/yaml"), "strict decoding error");
  assert(strict instanceof ResourceError && strict.status === 400, String(strict));
  let inPlace: unknown;
  try {
    decodeResources(text, "application/yaml");
  } catch (error) {
    inPlace = error;
  }
  assertEquals([strict.message, strict.causes], [
    (inPlace as ResourceError).message,
    (inPlace as ResourceError).causes,
  ]);
  const warnings: string[] = [];
  const objects = await decodeBodyText(text, "application/yaml", {
    fieldValidation: "Warn",
    warn: (w) => warnings.push(w),
  });
  assertEquals([objects.length, warnings.length], [150, 150]);
});

Deno.test("decodeBodyText() decodes JSON and small YAML in place", async () => {
  const json = JSON.stringify(Array.from({ length: 200 }, (_, i) => sampleRoute(`r${i}`, "team-a")));
  assertEquals((await decodeBodyText(json, "application/json")).length, 200);
  assertEquals((await decodeBodyText(routesYaml(2), "application/yaml")).length, 2);
});
