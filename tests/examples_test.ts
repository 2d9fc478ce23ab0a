// Every example's routes run through the real filter against the example's route tests: an example
// that stops doing what its README says fails here. `routes.yaml` pairs with `tests.yaml` (required),
// `routes-NAME.yaml` with `tests-NAME.yaml` (when present).
//
// An example using a feature the filter does not implement yet is tested as it behaves today (a 500,
// say), with a comment in its tests file, so that implementing the feature fails the test and the
// expectation changes on purpose. (Mirroring and ServiceImport backends, once such cases, now work.)
import { assertEquals } from "./assert.ts";
import { checkRoutes } from "../tools/check_routes.ts";
import { loadResources } from "../tools/simulate.ts";

const EXAMPLES = new URL("../examples/", import.meta.url);

function pairs(): { dir: string; routes: string; tests: string | null }[] {
  const out = [];
  for (const dir of [...Deno.readDirSync(EXAMPLES)].filter((e) => e.isDirectory).map((e) => e.name).sort()) {
    const files = [...Deno.readDirSync(new URL(`${dir}/`, EXAMPLES))].map((e) => e.name);
    for (const routes of files.filter((f) => /^routes(-[\w-]+)?\.yaml$/.test(f)).sort()) {
      const tests = routes.replace(/^routes/, "tests");
      if (files.includes(tests)) out.push({ dir, routes, tests });
      else if (routes === "routes.yaml") out.push({ dir, routes, tests: null });
    }
  }
  return out;
}

for (const { dir, routes, tests } of pairs()) {
  const name = `examples/${dir}/${routes}`;
  Deno.test(`${name} does what examples/${dir}/${tests ?? "tests.yaml"} says, and every rule is tested`, async () => {
    assertEquals(tests !== null, true, `examples/${dir} has routes.yaml but no tests.yaml`);
    const resources = await loadResources(new URL(`${dir}/${routes}`, EXAMPLES).pathname);
    const report = await checkRoutes(
      resources,
      await Deno.readTextFile(new URL(`${dir}/${tests}`, EXAMPLES)),
    );
    const failures = report.results.filter((r) => !r.passed).map((r) =>
      `${r.name}: ${r.failures.join("; ")}`
    );
    assertEquals(failures, [], `${name}:\n${failures.join("\n")}`);
    assertEquals(report.unexercised, [], `${name}: rules no test exercises`);
  });
}
