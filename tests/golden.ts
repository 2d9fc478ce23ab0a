/**
 * Golden files: `assertGolden(path, actual)` compares with the file, or rewrites it when the
 * suite runs with `UPDATE_GOLDEN=1` (the one switch for every stage's golden data).
 *
 * @module
 */
import { assertEquals } from "./assert.ts";

export const UPDATE_GOLDEN = Deno.env.get("UPDATE_GOLDEN") === "1";

/** Compares `actual` with the golden file at `url`, or rewrites the file under UPDATE_GOLDEN=1. */
export async function assertGolden(url: URL, actual: string): Promise<void> {
  if (UPDATE_GOLDEN) {
    await Deno.writeTextFile(url, actual);
    return;
  }
  let expected: string;
  try {
    expected = await Deno.readTextFile(url);
  } catch {
    throw new Error(`Golden file ${url.pathname} is missing: run the tests with UPDATE_GOLDEN=1 to write it`);
  }
  assertEquals(actual, expected, `${url.pathname} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

/** The `*.<inExt>` files of a testdata folder, sorted, with their case names. */
export async function goldenCases(dir: URL, inExt: string): Promise<{ name: string; url: URL }[]> {
  const out: { name: string; url: URL }[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(inExt)) {
      out.push({ name: e.name.slice(0, -inExt.length), url: new URL(e.name, dir) });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
