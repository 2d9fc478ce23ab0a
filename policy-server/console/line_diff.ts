/**
 * A line diff (longest common subsequence), for showing what a rollback changes in an object as
 * `-`/`+` lines of its YAML. Objects are a few dozen lines: the quadratic table is cheap.
 *
 * @module
 */

export interface DiffLine {
  op: " " | "-" | "+";
  line: string;
}

/** The lines of `before` and `after`, each kept, removed or added, in order. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const b = after === "" ? [] : after.replace(/\n$/, "").split("\n");
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const common = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ op: " ", line: a[i++] });
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1][j] >= common[i][j + 1])) {
      out.push({ op: "-", line: a[i++] }); // removals first, as unified diffs show them
    } else {
      out.push({ op: "+", line: b[j++] });
    }
  }
  return out;
}
