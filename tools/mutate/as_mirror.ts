/**
 * Stryker parses sources with Babel, which refuses AssemblyScript's decorators on functions
 * (`@inline function f()`). The mirror is the same source with each such decorator turned into a
 * comment of the same length, so every mutant's line and column in the mirror are those of the real
 * file, where apply_mutant.ts writes it.
 *
 * @module
 */

/** `@inline function` → `/*inl*\/ function`: the same length, so no position moves. */
export function mirrorSource(text: string): string {
  return text.replace(
    /^(\s*)@(\w{3,})(?=\s+(?:export\s+)?function\b)/gm,
    (_all, indent: string, name: string) => `${indent}/*${name.slice(0, name.length - 3)}*/`,
  );
}

/** Where the mirror of a repository path is kept (under the gitignored .stryker/). */
export function mirrorPath(path: string): string {
  return `.stryker/as/${path}`;
}

/** The repository path a mirror path stands for, or undefined for any other path. */
export function mirroredPath(path: string): string | undefined {
  const at = path.indexOf(".stryker/as/");
  return at < 0 ? undefined : path.slice(at + ".stryker/as/".length);
}
