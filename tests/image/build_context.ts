/**
 * The build context BuildKit sends for `docker build -f DOCKERFILE .`: every file under the root
 * except what `DOCKERFILE.dockerignore` (else `.dockerignore`) excludes. Patterns are the subset our
 * ignore file uses: paths from the root with `*` and `**`, and `!` exceptions, last match wins.
 *
 * @module
 */
import { join, relative } from "node:path";

/** One ignore pattern as a regular expression over a root-relative path. */
function patternRegExp(pattern: string): RegExp {
  const body = pattern.replace(/^\/+|\/+$/g, "").split("/").map((part) =>
    part === "**"
      ? "(?:.*)"
      : part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")
  ).join("/").replace(/\(\?:\.\*\)\//g, "(?:.*/)?");
  // A pattern naming a directory excludes everything under it.
  return new RegExp(`^${body}(?:/.*)?$`);
}

/** The ignore file's patterns (comments and blank lines dropped). */
export function parseIgnore(text: string): { exclude: boolean; re: RegExp }[] {
  return text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) =>
    l.startsWith("!")
      ? { exclude: false, re: patternRegExp(l.slice(1)) }
      : { exclude: true, re: patternRegExp(l) }
  );
}

/** Whether `path` (root-relative) is left out of the context. */
export function isIgnored(path: string, patterns: { exclude: boolean; re: RegExp }[]): boolean {
  let ignored = false;
  for (const p of patterns) if (p.re.test(path)) ignored = p.exclude;
  return ignored;
}

/** The ignore file BuildKit reads for `dockerfile`: the one beside it, else the root's. */
async function ignoreText(root: string, dockerfile: string): Promise<string> {
  for (const file of [`${dockerfile}.dockerignore`, join(root, ".dockerignore")]) {
    try {
      return await Deno.readTextFile(file);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return "";
}

/** Root-relative paths of the context's files (symbolic links included as links), sorted. */
export async function buildContext(root: string, dockerfile: string): Promise<string[]> {
  const patterns = parseIgnore(await ignoreText(root, dockerfile));
  const out: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (isIgnored(rel, patterns)) continue;
      // A symbolic link is sent as a link, never followed (as BuildKit sends it).
      if (entry.isDirectory && !entry.isSymlink) await walk(path);
      else out.push(rel);
    }
  };
  await walk(root);
  return out.sort();
}
