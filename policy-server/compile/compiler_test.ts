import { assertEquals } from "../../tests/assert.ts";
import { sampleRoute } from "../model/testing.ts";
import type { KubeObject } from "../model/types.ts";
import { compile } from "./compile.ts";
import { type ObjectChange, wholeCompiler } from "./compiler.ts";

const change = (base: string | null, objects: KubeObject[], put: KubeObject[] = objects): ObjectChange => ({
  base,
  put,
  delete: [],
  objects: () => objects,
});

Deno.test("wholeCompiler() compiles every object, whatever the base, with compile()'s bytes", async () => {
  const whole = wholeCompiler(compile);
  const objects = [sampleRoute("a"), sampleRoute("b")];
  const options = { generation: 3 };
  const first = await whole.compileChange(change("a name it never heard", objects, []), options);
  assertEquals(first.sha256, (await compile(objects, options)).sha256);
});

Deno.test("wholeCompiler() answers the settled statuses to readers, the change's to its writer", async () => {
  const whole = wholeCompiler(compile);
  const web = sampleRoute("web");
  const options = { generation: 1 };
  const first = await whole.compileChange(change(null, [web]), options);
  const parents = (await compile([web], options)).statuses[0].parents;
  assertEquals([whole.statusOf("default/web"), first.statusOf("default/web")], [undefined, parents]);
  whole.settle("one");
  assertEquals(whole.statusOf("default/web"), parents);
  const none = await whole.compileChange({
    ...change("one", []),
    delete: [{ kind: "HTTPRoute", namespace: "default", name: "web" }],
  }, options);
  assertEquals([none.statusOf("default/web"), whole.statusOf("default/web")], [undefined, parents]);
  whole.revert();
  assertEquals(whole.statusOf("default/web"), parents);
  await whole.compileChange({ ...change("one", []) }, options);
  whole.settle("two");
  assertEquals(whole.statusOf("default/web"), undefined);
});
