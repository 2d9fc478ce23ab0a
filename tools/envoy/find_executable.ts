import { delimiter, join } from "node:path";

/** What to tell someone who has no func-e. */
export const FUNC_E_INSTALL =
  `func-e is not on PATH. func-e downloads and runs Envoy; install it as https://func-e.io says:

  curl -fsSL https://func-e.io/install.sh | sh

then run this command again. On its first run func-e downloads Envoy, which needs network access.`;

/**
 * The absolute path of `name` on `PATH` (each entry tried in order, as a shell does), or
 * `undefined`. Only regular files with an execute bit count.
 */
export async function findExecutable(
  name: string,
  path = Deno.env.get("PATH") ?? "",
): Promise<string | undefined> {
  const windows = Deno.build.os === "windows";
  const names = windows ? [name, `${name}.exe`] : [name];
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    for (const candidate of names.map((n) => join(dir, n))) {
      try {
        const info = await Deno.stat(candidate);
        if (info.isFile && (windows || ((info.mode ?? 0) & 0o111) !== 0)) return candidate;
      } catch {
        // not there: try the next entry
      }
    }
  }
  return undefined;
}
