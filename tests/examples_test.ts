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
import { findEnvoy, NO_ENVOY } from "../simulator/envoy/find_envoy.ts";

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

const envoy = await findEnvoy();
if (!envoy) console.log(NO_ENVOY);

for (const { dir, routes, tests } of pairs()) {
  const name = `examples/${dir}/${routes}`;
  for (const host of ["emulator", "envoy"] as const) {
    const where = host === "envoy" ? ", in a real Envoy" : "";
    Deno.test({
      name: `${name} does what examples/${dir}/${
        tests ?? "tests.yaml"
      } says, and every rule is tested${where}`,
      ignore: host === "envoy" && !envoy,
      fn: () => checkExample(dir, routes, tests, { host, envoy }),
    });
  }
}

async function checkExample(
  dir: string,
  routes: string,
  tests: string | null,
  options: { host: "emulator" | "envoy"; envoy?: string },
) {
  const name = `examples/${dir}/${routes}`;
  assertEquals(tests !== null, true, `examples/${dir} has routes.yaml but no tests.yaml`);
  const resources = await loadResources(new URL(`${dir}/${routes}`, EXAMPLES).pathname);
  const report = await checkRoutes(
    resources,
    await Deno.readTextFile(new URL(`${dir}/${tests}`, EXAMPLES)),
    options,
  );
  const failures = report.results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.failures.join("; ")}`);
  assertEquals(failures, [], `${name}:\n${failures.join("\n")}`);
  assertEquals(report.unexercised, [], `${name}: rules no test exercises`);
}
