/**
 * "Why did this request go there?" from the command line: what the real filter decides for a
 * request under a set of resources (as `deno task simulate` says), and why, step by step — the
 * virtual host the hostname and port led to (for a sidecar's request addressed to a Service's cluster
 * IP, the destination and not the Host), each candidate route in precedence order with the first
 * condition that failed, and on a miss the nearest route (`a route for this host exists on port
 * 9080`). The decision is the filter's; the explanation retells its lookup (policy-server/ir/
 * explain_request.ts). The request takes the simulator's fields (docs/route-tests.md).
 *
 * ```sh
 * deno run -A tools/why.ts --resources examples/header-routing/routes.yaml \
 *   --request '{"host": "my-server", "port": 9080, "path": "/"}'
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { explainedRequestOf, explainRequest, explanationLines } from "../policy-server/ir/explain_request.ts";
import type { Explanation } from "../policy-server/ir/explain_request.ts";
import { checkSimRequest, SimInputError } from "../simulator/mod.ts";
import type { SimDecision } from "../simulator/mod.ts";
import { compileSimulator, loadResources } from "./simulate.ts";

export interface Why {
  decision: SimDecision;
  explanation: Explanation;
}

/** The filter's decision for `request` under `resources`, and the lookup that led to it. */
export async function why(resources: object[], request: unknown): Promise<Why> {
  const req = checkSimRequest(request, "request");
  const { compiled, simulator } = await compileSimulator(resources);
  return {
    decision: simulator.decide(req),
    explanation: explainRequest(compiled.table, explainedRequestOf(req)),
  };
}

/** Lines a person reads: the decision, then the summary, the hosts, the routes, the nearest. */
export function whyText({ decision, explanation }: Why): string {
  const outcome = decision.backend ?? (decision.passthrough ? "(passed to Istio)" : "(no backend)");
  return [`${decision.status} ${outcome}`, ...explanationLines(explanation)].join("\n");
}

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { resources: { type: "string" }, request: { type: "string" }, json: { type: "boolean" } },
  });
  try {
    if (!values.resources || !values.request) {
      throw new SimInputError("usage: why.ts --resources FILE|DIR --request JSON [--json]");
    }
    let request: unknown;
    try {
      request = JSON.parse(values.request);
    } catch (error) {
      throw new SimInputError(`--request: invalid JSON: ${(error as Error).message}`);
    }
    const answer = await why(await loadResources(values.resources), request);
    console.log(values.json ? JSON.stringify(answer) : whyText(answer));
    return 0;
  } catch (error) {
    if (!(error instanceof SimInputError)) throw error;
    console.error(`why: ${error.message}`);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
