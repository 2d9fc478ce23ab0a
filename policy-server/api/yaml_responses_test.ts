import { assertEquals } from "../../tests/assert.ts";
import { prefersYaml } from "./yaml_responses.ts";

Deno.test("prefersYaml follows the Accept header's order and qualities", () => {
  const cases: [string | undefined, boolean][] = [
    [undefined, false],
    ["*/*", false],
    ["application/json", false],
    ["application/yaml", true],
    ["application/x-yaml", true],
    ["text/yaml", true],
    ["application/yaml, application/json", true],
    ["application/json, application/yaml", false],
    ["application/json;q=0.5, application/yaml", true],
    ["application/yaml;q=0, application/json", false],
    ["text/html, application/yaml;q=0.9", true],
  ];
  for (const [accept, expected] of cases) assertEquals(prefersYaml(accept), expected, String(accept));
});
