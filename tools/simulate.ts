/**
 * CLI: what the real filter would decide for given requests under given resources (the library is
 * `simulator/`; this is its command line).
 *
 * ```sh
 * deno task simulate --resources examples/header-routing/routes.yaml \
 *   --request '{"host": "my-server", "path": "/", "headers": {"version": "new"}}'
 * deno task simulate --resources examples/canary --requests requests.jsonl
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  checkSimRequest,
  describeFsError,
  FILTER_WASM,
  loadResources,
  SimInputError,
  type SimRequest,
  Simulator,
} from "../simulator/mod.ts";

/**
 * The filter module, built first when missing (a fresh checkout). The compiler loads only then: it
 * takes seconds, and the module is usually there.
 */
export async function builtFilterWasm(): Promise<Uint8Array> {
  try {
    return await Deno.readFile(FILTER_WASM);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.error("simulate: filter/build/filter.wasm is missing: building it first");
    const { buildFilter } = await import("./build_filter.ts");
    return await buildFilter();
  }
}

export const USAGE =
  `Usage: deno task simulate --resources <file|dir> (--request '<json>' | --requests <file.jsonl>)

Runs requests through the real filter (filter/build/filter.wasm) with the rule table compiled from
the resources, and prints one JSON decision per line.

  --resources <file|dir>   HTTPRoutes (YAML or JSON; a directory: its .yaml, .yml and .json files)
  --request <json>         one request, e.g. '{"host": "my-server", "path": "/", "headers": {"version": "new"}}'
  --requests <file.jsonl>  one request per line (blank lines are skipped)
  --help                   this text

Request fields: method (GET), host, path (with ?query), headers ({name: value} or [[name, value]]),
scheme (http), port, gateway ("ns/name"), mesh ({clientNamespace, destinationService, destinationPort}),
backendResponseHeaders. See docs/route-tests.md.`;

/** Parses one JSON request per line; errors name the line. */
export function parseRequestLines(text: string, source: string): SimRequest[] {
  const out: SimRequest[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new SimInputError(`${source} line ${i + 1}: invalid JSON: ${(error as Error).message}`);
    }
    try {
      out.push(checkSimRequest(value));
    } catch (error) {
      throw new SimInputError(`${source} line ${i + 1}: ${(error as Error).message}`);
    }
  });
  if (out.length === 0) throw new SimInputError(`${source}: no requests`);
  return out;
}

/** The CLI; returns the exit code (0 ok, 2 bad input). */
export async function main(args: string[]): Promise<number> {
  const fail = (message: string) => {
    console.error(`simulate: ${message}`);
    return 2;
  };
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        resources: { type: "string" },
        request: { type: "string" },
        requests: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(`${(error as Error).message.split(". ")[0]} (see --help)`);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.resources) return fail("--resources is required (see --help)");
  if ((values.request === undefined) === (values.requests === undefined)) {
    return fail("give either --request '<json>' or --requests <file.jsonl> (see --help)");
  }
  try {
    let requests: SimRequest[];
    if (values.request !== undefined) {
      let value: unknown;
      try {
        value = JSON.parse(values.request);
      } catch (error) {
        throw new SimInputError(`--request: invalid JSON: ${(error as Error).message}`);
      }
      try {
        requests = [checkSimRequest(value)];
      } catch (error) {
        throw new SimInputError(`--request: ${(error as Error).message}`);
      }
    } else {
      let text: string;
      try {
        text = await Deno.readTextFile(values.requests!);
      } catch (error) {
        throw new SimInputError(`${values.requests}: ${describeFsError(error)}`);
      }
      requests = parseRequestLines(text, values.requests!);
    }
    const sim = await Simulator.create(await loadResources(values.resources), await builtFilterWasm());
    for (const r of requests) console.log(JSON.stringify(sim.decide(r)));
    return 0;
  } catch (error) {
    if (error instanceof SimInputError) return fail(error.message);
    throw error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
