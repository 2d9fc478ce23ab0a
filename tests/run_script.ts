/**
 * Runs one of the project's command-line scripts as a subprocess, with input files written to a
 * temporary folder (`$DIR` in the arguments), as a user would run it.
 *
 * @module
 */
const ROOT = new URL("../", import.meta.url).pathname;

export interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` (a path from the repository root) with `args`; `files` are written under `$DIR`.
 * The script may read, write and see the environment; `permissions` adds more (as its task does).
 */
export async function runScript(
  script: string,
  args: string[],
  files: Record<string, string> = {},
  permissions: string[] = [],
): Promise<ScriptRun> {
  const dir = await Deno.makeTempDir({ prefix: "wasmroute-cli-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      if (name.includes("/")) {
        await Deno.mkdir(`${dir}/${name.slice(0, name.lastIndexOf("/"))}`, { recursive: true });
      }
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        ...permissions,
        `${ROOT}${script}`,
        ...args.map((a) => a.replaceAll("$DIR", dir)),
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
