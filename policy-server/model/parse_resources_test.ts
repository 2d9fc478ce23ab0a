import { assert, assertEquals, assertMatch, assertThrows } from "../../tests/assert.ts";
import { parseResources } from "./parse_resources.ts";
import { ResourceError } from "./resource_error.ts";
import { sampleRoute, sampleRouteYaml } from "./testing.ts";

function refused(text: string, contentType?: string): ResourceError {
  const error = assertThrows(() => parseResources(text, contentType), ResourceError) as ResourceError;
  assertEquals(error.status, 400);
  assertEquals(error.reason, "BadRequest");
  return error;
}

Deno.test("parseResources reads one JSON object", () => {
  const route = sampleRoute();
  assertEquals(parseResources(JSON.stringify(route), "application/json"), [route]);
});

Deno.test("parseResources reads a JSON array and a Kubernetes List, flattened in order", () => {
  const [a, b, c] = [sampleRoute("a"), sampleRoute("b"), sampleRoute("c")];
  assertEquals(parseResources(JSON.stringify([a, b]), "application/json"), [a, b]);
  assertEquals(parseResources(JSON.stringify({ apiVersion: "v1", kind: "List", items: [b, c] })), [b, c]);
  const typedList = { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRouteList", items: [c] };
  assertEquals(parseResources(JSON.stringify(typedList)), [c]);
  assertEquals(parseResources(`${JSON.stringify(typedList)}\n---\n${sampleRouteYaml("d")}`).length, 2);
});

Deno.test("parseResources reads multi-document YAML and skips empty documents", () => {
  const text = `---\n# nothing here\n---\n${sampleRouteYaml("a")}---\n---\n${sampleRouteYaml("b")}...\n`;
  const objects = parseResources(text, "application/yaml");
  assertEquals(objects.map((o) => o.metadata.name), ["a", "b"]);
  assertEquals(objects[0], sampleRoute("a"));
});

Deno.test("parseResources sniffs the format when no content type says it", () => {
  assertEquals(parseResources(`  ${JSON.stringify(sampleRoute())}`).length, 1);
  assertEquals(parseResources(sampleRouteYaml(), "text/plain").length, 1);
  // YAML flow style opens like JSON but is not JSON.
  assertEquals(parseResources("{apiVersion: v1, kind: ConfigMap, metadata: {name: x}}")[0].kind, "ConfigMap");
  assertEquals(
    parseResources("\uFEFF" + JSON.stringify(sampleRoute())).length,
    1,
    "a byte order mark is ignored",
  );
});

Deno.test("parseResources returns nothing for an empty body", () => {
  assertEquals(parseResources(""), []);
  assertEquals(parseResources("# only a comment\n---\n"), []);
});

Deno.test("parseResources rejects malformed JSON with 400", () => {
  const error = refused('{"apiVersion": "v1", ', "application/json");
  assertMatch(error.message, /^invalid JSON/);
  // Looked like JSON and is not YAML either: the JSON error is the useful one.
  assertMatch(refused('{"kind": [}').message, /^invalid JSON/);
});

Deno.test("parseResources rejects malformed YAML with 400, naming document and line", () => {
  const error = refused(`${sampleRouteYaml("a")}---\nkind: HTTPRoute\nspec: [\n`);
  assertMatch(error.message, /invalid YAML in document 1 at line \d+, column \d+/);
  assertEquals(error.document, 1);
  assertMatch(
    refused("kind: !custom HTTPRoute\napiVersion: v1\n").message,
    /tag/i,
    "unresolved tags are refused",
  );
});

Deno.test("parseResources defuses alias bombs", () => {
  const bomb = `a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
apiVersion: v1
kind: ConfigMap
`;
  assertMatch(refused(bomb).message, /alias/i);
  // A few aliases, as hand-written manifests use them, are fine.
  const few = "apiVersion: v1\nkind: ConfigMap\nx: &port 8080\ny: *port\n";
  assertEquals(parseResources(few)[0], { apiVersion: "v1", kind: "ConfigMap", x: 8080, y: 8080 } as never);
});

Deno.test("parseResources rejects values JSON cannot carry, with their path", () => {
  const error = refused("apiVersion: v1\nkind: ConfigMap\nspec:\n  rules:\n  - weight: .nan\n");
  assertEquals(error.field, "spec.rules[0].weight");
  assertMatch(refused("apiVersion: v1\nkind: X\ndata: !!binary aGVsbG8=\n").message, /not a JSON value/);
});

Deno.test("parseResources rejects documents that are not objects or lack apiVersion or kind", () => {
  assertMatch(refused("hello").message, /document 0 is not an object \(got string\)/);
  assertMatch(refused(`${sampleRouteYaml()}---\n- 1\n- 2\n`).message, /document 1 is not an object/);
  const noKind = refused('{"apiVersion": "v1", "metadata": {"name": "x"}}');
  assertEquals(noKind.field, "kind");
  assertEquals(refused(JSON.stringify([sampleRoute(), { kind: "HTTPRoute" }])).field, "[1].apiVersion");
  assertMatch(refused('{"kind": "List", "apiVersion": "v1"}').message, /items/);
  assert(refused(JSON.stringify([sampleRoute(), 7])).document === 1);
});

Deno.test("parseResources refuses pathological nesting", () => {
  const deep = `{"apiVersion":"v1","kind":"X","spec":${"[".repeat(100)}${"]".repeat(100)}}`;
  assertMatch(refused(deep).message, /nested too deeply/);
});

Deno.test("parseResources keeps the last of a duplicated key and reports where each duplicate is", () => {
  const seen: [number, string][] = [];
  const duplicate = (document: number, field: string) => seen.push([document, field]);
  const yaml = `${
    sampleRouteYaml("a")
  }---\napiVersion: v1\nkind: X\nspec:\n  rules:\n  - {name: x, name: y}\n`;
  const objects = parseResources(yaml, "application/yaml", { duplicate });
  assertEquals((objects[1] as unknown as { spec: { rules: { name: string }[] } }).spec.rules[0].name, "y");
  assertEquals(seen, [[1, "spec.rules[0].name"]]);

  seen.length = 0;
  const list = '{"kind": "List", "apiVersion": "v1", "items": [' +
    '{"apiVersion": "v1", "kind": "X"}, {"apiVersion": "v1", "kind": "X", "spec": {"a": 1, "a": 2}}]}';
  assertEquals(
    (parseResources(list, "application/json", { duplicate })[1] as never as { spec: unknown }).spec,
    {
      a: 2,
    },
  );
  assertEquals(seen, [[1, "spec.a"]]);
});
