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

/** The message, field and document of the refusal of `text`. */
function refusal(text: string, contentType?: string): [string, string, number | undefined] {
  const e = refused(text, contentType);
  return [e.message, e.causes[0].field, e.causes[0].document];
}

const K = '"apiVersion":"v1","kind":"K"';

Deno.test("parseResources strips a byte order mark at the start only", () => {
  assertEquals(parseResources(`\uFEFF{${K}}`), [{ apiVersion: "v1", kind: "K" }]);
  assertEquals(parseResources(`{${K},"metadata":{"name":"a\uFEFFb"}}`)[0].metadata.name, "a\uFEFFb");
});

Deno.test("parseResources holds a declared JSON body to JSON, whatever the case, parameters or +json suffix", () => {
  const yamlText = "apiVersion: v1\nkind: K";
  for (const type of [" Application/JSON ; charset=utf-8", "application/merge-patch+json"]) {
    assertEquals(refusal(yamlText, type), [
      `invalid JSON: Unexpected token 'a', "apiVersion"... is not valid JSON`,
      "",
      undefined,
    ]);
  }
  // Declared YAML is read as YAML, even in flow style.
  assertEquals(parseResources("{apiVersion: v1, kind: K}", "application/x-yaml"), [{
    apiVersion: "v1",
    kind: "K",
  }]);
  // Sniffed JSON after blank space: the JSON error is the one reported.
  assertEquals(
    refusal("  [ {")[0],
    "invalid JSON: Expected property name or '}' in JSON at position 5 (line 1 column 6)",
  );
});

Deno.test("parseResources names a YAML error's document, line and column once, in front of the parser's words", () => {
  assertEquals(refusal("apiVersion: v1\nkind: K\n---\na: b: c\n"), [
    "invalid YAML in document 1 at line 4, column 4: Nested mappings are not allowed in compact mappings",
    "",
    1,
  ]);
  assertEquals(refusal(`a: &a x\nb: [${Array(20).fill("*a").join(", ")}]\napiVersion: v1\nkind: K`), [
    "invalid YAML in document 0: Excessive alias count indicates a resource exhaustion attack",
    "",
    0,
  ]);
});

Deno.test("parseResources wants a non-empty string apiVersion and kind", () => {
  assertEquals(refusal(`{"apiVersion":"","kind":"K"}`), [
    "document 0: apiVersion is required",
    "apiVersion",
    0,
  ]);
  assertEquals(refusal(`{"apiVersion":"v1","kind":3}`), ["document 0: kind is required", "kind", 0]);
  assertEquals(refusal(`[{${K}},{"apiVersion":"v1"}]`), ["document 1: kind is required", "[1].kind", 1]);
});

Deno.test("parseResources skips empty YAML documents and counts List items as documents", () => {
  assertEquals(parseResources("---\n---\napiVersion: v1\nkind: K\n---\n"), [{ apiVersion: "v1", kind: "K" }]);
  assertEquals(refusal(`{"kind":"FooList"}`), ["FooList needs an items array", "items", 0]);
  assertEquals(refusal(`{"kind":"List","items":[{${K}}, "x"]}`), [
    "document 1 is not an object (got string)",
    "items[1]",
    1,
  ]);
});

Deno.test("parseResources says what a document that is not an object is", () => {
  assertEquals(refusal("[null]"), ["document 0 is not an object (got null)", "[0]", 0]);
  assertEquals(refusal("[[1]]")[0], "document 0 is not an object (got array)");
  assertEquals(refusal("[3]")[0], "document 0 is not an object (got 3)");
  assertEquals(refusal('["x"]')[0], "document 0 is not an object (got string)");
  assertEquals(refusal("[true]")[0], "document 0 is not an object (got boolean)");
});

Deno.test("parseResources takes null and booleans, and names a value JSON cannot carry and where it is", () => {
  assertEquals(parseResources(`{${K},"a":null,"b":true,"c":false}`), [
    { apiVersion: "v1", kind: "K", a: null, b: true, c: false },
  ]);
  assertEquals(refusal(".nan"), ["document 0: value is not a JSON value (got NaN)", "", 0]);
  assertEquals(refusal("apiVersion: v1\nkind: K\nspec:\n  x: .nan"), [
    "document 0: spec.x is not a JSON value (got NaN)",
    "spec.x",
    0,
  ]);
  assertEquals(
    refusal("apiVersion: v1\nkind: K\nspec:\n  x: !!binary aGVsbG8=")[0],
    "document 0: spec.x is not a JSON value (got Buffer)",
  );
});

Deno.test("parseResources allows 63 levels of nesting under a document's fields, objects and arrays alike", () => {
  const nested = (n: number, wrap: (v: unknown) => unknown) => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = wrap(v);
    return JSON.stringify({ apiVersion: "v1", kind: "K", spec: v });
  };
  for (const wrap of [(v: unknown) => ({ a: v }), (v: unknown) => [v]]) {
    assertEquals(parseResources(nested(63, wrap)).length, 1);
    assertEquals(refused(nested(64, wrap)).message, "document 0 is nested too deeply");
  }
});

Deno.test("parseResources reports a duplicated field of an array item or List item at the item", () => {
  const duplicates = (text: string) => {
    const found: string[] = [];
    parseResources(text, undefined, { duplicate: (document, field) => found.push(`${document}: ${field}`) });
    return found;
  };
  assertEquals(duplicates(`[{${K}},{${K},"kind":"K"}]`), ["1: kind"]);
  assertEquals(duplicates(`{"kind":"List","items":[{${K}},{${K},"apiVersion":"v1"}]}`), ["1: apiVersion"]);
});
