/**
 * Shared data of the regex tests: the case table every VM must answer the same way, and a seeded
 * generator of random patterns, each rendered twice — in RE2 syntax for our compiler, and as a
 * JavaScript RegExp that means the same on the inputs we generate (the oracle).
 *
 * Where JavaScript and RE2 differ, the JS rendering says what RE2 means: `.` becomes `[^\n]` (JS's
 * `.` also stops at `\r`, U+2028, U+2029), `\s` becomes `[\t\n\f\r ]` (JS's includes `\v` and
 * Unicode spaces). The oracle runs without the `u` flag, so it matches UTF-16 code units as our
 * engine does, and with `i` folds only where neither side of a pair is non-ASCII — input letters
 * are ASCII, or ones whose case mapping crosses into ASCII (ſ, K = KELVIN SIGN), which both engines
 * leave alone.
 *
 * @module
 */
import { prng } from "./prng.ts";

/** [pattern, input, expected full match]. */
export type Case = [string, string, boolean];

export const CASES: Case[] = [
  // literals and full-match semantics
  ["abc", "abc", true],
  ["abc", "abcd", false],
  ["abc", "xabc", false],
  ["abc", "", false],
  ["", "", true],
  ["", "a", false],
  ["a.c", "abc", true],
  ["a.c", "a\nc", false],
  ["(?s)a.c", "a\nc", true],
  ["(?s:.)x", "\nx", true],
  ["a.c", "a\rc", true],
  ["\\.", ".", true],
  ["\\.", "a", false],
  ["\\/\\-\\\\", "/-\\", true],
  ["\\t\\n\\r\\f\\v\\a", "\t\n\r\f\v\x07", true],
  ["\\x41\\x{42}\\x{4E2D}", "AB中", true],
  ["\\x{1F600}", "😀", true],
  ["\\x{1F600}+", "😀😀", true],
  ["😀+", "😀😀", true],
  ["😀+", "😀\ude00", false],
  ["\\101\\0\\012", "A\0\n", true],
  ["\\_\\ \\!\\#", "_ !#", true],
  ["\\Qa.b*\\E", "a.b*", true],
  ["\\Qa.b*\\E", "axbb", false],
  ["\\Qab\\E+", "abbb", true],
  ["\\Qab", "ab", true],
  ["中文", "中文", true],
  // anchors
  ["^abc$", "abc", true],
  ["^$", "", true],
  ["a^b", "ab", false],
  ["a$b", "ab", false],
  ["\\Aabc\\z", "abc", true],
  ["(^a|b)+", "ab", true],
  ["(^a|b)+", "bab", false],
  ["(a|b$)+", "ab", true],
  ["(a|b$)+", "aba", false],
  ["^*a", "a", true],
  // classes
  ["[abc]+", "abccba", true],
  ["[abc]+", "abcd", false],
  ["[a-z0-9_]+", "user_42", true],
  ["[^a-z]+", "ABC123", true],
  ["[^a-z]+", "ABc", false],
  ["[^a]", "\n", true],
  ["[]a]+", "]a]", true],
  ["[^]a]", "b", true],
  ["[^]a]", "]", false],
  ["[a-]+", "a-", true],
  ["[-a]+", "-a", true],
  ["[a-c-e]+", "b-e", true],
  ["[a-c-e]", "d", false],
  ["[\\d.]+", "1.5", true],
  ["[\\D]", "5", false],
  ["[\\Da]", "a", true],
  ["[\\]\\\\\\-]+", "]\\-", true],
  ["[\\x41-\\x43]+", "ABC", true],
  ["[\\t ]+", "\t \t", true],
  ["[[:alpha:]]+", "abcXYZ", true],
  ["[[:alpha:]]", "1", false],
  ["[[:^alpha:]]", "1", true],
  ["[[:digit:][:upper:]]+", "A1B2", true],
  ["[[:punct:]]+", "!-/", true],
  ["[[:xdigit:]]{4}", "0aF9", true],
  ["[[:word:]]+", "a_1", true],
  ["[[:space:]]", "\v", true],
  ["[[:foo]", "[", true], // no ":]": a '[' in the class, then "[:fo"
  ["\\d+", "0123456789", true],
  ["\\d", "a", false],
  ["\\D+", "abc", true],
  ["\\w+", "Az_09", true],
  ["\\w", "-", false],
  ["\\W", "-", true],
  ["\\s", " ", true],
  ["\\s", "\v", false], // RE2's \s has no \v
  ["\\s", "\u00a0", false],
  ["\\S+", "a\u00a0", true],
  ["\\S", "\t", false],
  // case-insensitive (ASCII)
  ["(?i)abc", "AbC", true],
  ["(?i)ABC", "abc", true],
  ["(?i)a1-", "A1-", true],
  ["(?i:a)b", "Ab", true],
  ["(?i:a)b", "AB", false],
  ["a(?i)b|c", "aB", true],
  ["a(?i)b|c", "C", true], // (?i) lasts to the group's end, across |
  ["(a(?i)b)c", "aBc", true],
  ["(a(?i)b)c", "aBC", false],
  ["(?i)(?-i)a", "A", false],
  ["(?i-s).", "\n", false],
  ["(?i)[a-c]+", "AbC", true],
  ["(?i)[^a]", "A", false],
  ["(?i)[^a]", "b", true],
  ["(?i)[[:upper:]]", "q", true],
  ["(?i)\\x41", "a", true],
  ["(?i)k", "\u212a", false], // ASCII-only folding (RE2 folds KELVIN SIGN to k)
  ["(?i)s", "\u017f", false],
  ["(?i)é", "É", false],
  ["[aA]", "A", true],
  ["(?U)a+", "aaa", true],
  // groups and alternation
  ["(a|b)+", "abba", true],
  ["(?:ab|cd)+", "abcdab", true],
  ["(?:ab|cd)+", "abc", false],
  ["(?P<ver>v[0-9]+)/x", "v12/x", true],
  ["(?<ver>v[0-9]+)/x", "v12/x", true],
  ["a||b", "", true],
  ["a|", "", true],
  ["|a", "a", true],
  ["()", "", true],
  ["(|a)+", "aaa", true],
  ["((a))", "a", true],
  ["gray|grey", "grey", true],
  ["gr(a|e)y", "gray", true],
  ["gr(a|e)y", "groy", false],
  // quantifiers
  ["a*", "", true],
  ["a*", "aaaa", true],
  ["a+", "", false],
  ["a?", "a", true],
  ["a?", "aa", false],
  ["a{3}", "aaa", true],
  ["a{3}", "aa", false],
  ["a{3}", "aaaa", false],
  ["a{2,}", "aaaaa", true],
  ["a{2,}", "a", false],
  ["a{2,4}", "aaaa", true],
  ["a{2,4}", "aaaaa", false],
  ["a{0}", "", true],
  ["a{0}b", "b", true],
  ["a{0,0}", "a", false],
  ["(ab){2}", "abab", true],
  ["a{1000}", "a".repeat(1000), true],
  ["a{1000}", "a".repeat(999), false],
  ["a*?b", "aab", true],
  ["a+?", "aa", true],
  ["a??", "", true],
  ["a{2}?", "aa", true],
  ["a{2,3}?", "aaa", true],
  ["a{,3}", "a{,3}", true], // not a repetition: literal text, as in RE2
  ["a{", "a{", true],
  ["a{x}", "a{x}", true],
  ["x}", "x}", true],
  ["]", "]", true],
  ["(a*)*", "aaa", true],
  ["(a*)+b", "aab", true],
  ["(a?){3}a{3}", "aaa", true],
  ["(a|ab)(c|bcd)(d*)", "abcd", true],
  // routing-style patterns
  ["/api/v[0-9]+/.*", "/api/v2/users/7", true],
  ["/api/v[0-9]+/.*", "/api/vX/users", false],
  ["/(foo|bar)/[^/]+", "/bar/item-1", true],
  ["/(foo|bar)/[^/]+", "/bar/a/b", false],
  [".*\\.(png|jpe?g|gif)", "/img/cat.jpeg", true],
  [".*\\.(png|jpe?g|gif)", "/img/cat.webp", false],
  ["Mozilla/5\\.0 .*(Android|iPhone).*", "Mozilla/5.0 (Linux; Android 14)", true],
  [
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "123e4567-e89b-12d3-a456-426614174000",
    true,
  ],
  ["(?i)bearer [a-z0-9._-]+", "Bearer abc.DEF_1-2", true],
  ["v1|v2|canary", "canary", true],
  ["v1|v2|canary", "v3", false],
  ["", "x", false],
];

// ---------------------------------------------------------------------------------------------
// Seeded generator

export { prng };

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

/** Input alphabet: ASCII, line breaks JS and RE2 treat differently, non-ASCII without ASCII case. */
export const ALPHABET = [
  ..."abcxyzABCXYZ0129-./_ %",
  "\n",
  "\r",
  "\t",
  "\v",
  "\u00a0",
  "\u2028",
  "中",
  "€",
  "\u017f", // ſ: RE2 folds it with s; JS (non-u) and we do not
  "\u212a", // KELVIN SIGN: likewise with k
  "\ud83d",
  "\ude00",
];

/** A generated pattern: RE2 syntax, the JS oracle, and a sampler of (probably) matching inputs. */
interface Gen {
  re2: string;
  js: string;
  sample: (rng: Rng, fold: boolean) => string;
}

const LITERALS: [re2: string, js: string, value: string][] = [
  ..."abcxyzAB019-/_~% ".split("").map((c) => [c, c === "/" ? "\\/" : c, c] as [string, string, string]),
  ["\\.", "\\.", "."],
  ["\\-", "\\-", "-"],
  ["\\/", "\\/", "/"],
  ["\\t", "\\t", "\t"],
  ["\\n", "\\n", "\n"],
  ["\\x41", "\\x41", "A"],
  ["\\x{4E2D}", "\\u4e2d", "中"],
  ["中", "中", "中"],
  ["€", "€", "€"],
  ["\\*", "\\*", "*"],
  ["\\+", "\\+", "+"],
  ["\\?", "\\?", "?"],
  ["\\(", "\\(", "("],
  ["\\|", "\\|", "|"],
  ["\\[", "\\[", "["],
  ["\\{", "\\{", "{"],
  ["\\^", "\\^", "^"],
  ["\\$", "\\$", "$"],
];

/** Class members: RE2 text, JS text (inside brackets), the code units they cover (for sampling). */
const SPACE_JS = "\\t\\n\\f\\r ";
const NOT_SPACE_JS = "\\x00-\\x08\\x0b\\x0e-\\x1f!-\\uffff";
const MEMBERS: [re2: string, js: string, sample: string][] = [
  ["a", "a", "a"],
  ["b", "b", "b"],
  ["z", "z", "z"],
  ["Z", "Z", "Z"],
  ["0", "0", "0"],
  ["\\-", "\\-", "-"], // escaped: a bare - between members would make a range
  [".", ".", "."],
  ["/", "\\/", "/"],
  ["a-c", "a-c", "abc"],
  ["x-z", "x-z", "xyz"],
  ["A-C", "A-C", "ABC"],
  ["0-9", "0-9", "0129"],
  ["\\d", "\\d", "019"],
  ["\\w", "\\w", "aZ_0"],
  ["\\s", SPACE_JS, " \t\n"],
  ["\\D", "\\D", "a-中"],
  ["\\W", "\\W", "-. 中"],
  ["\\S", NOT_SPACE_JS, "a\v\u00a0"],
  ["\\x{4E2D}", "\\u4e2d", "中"],
  ["\\n", "\\n", "\n"],
  ["[:alpha:]", "A-Za-z", "aZ"],
  ["[:digit:]", "0-9", "09"],
  ["[:^digit:]", "\\x00-\\/:-\\uffff", "a-"],
  ["[:punct:]", "!-\\/:-@\\[-`{-~", "-./%_"],
];

const OUTSIDE: [re2: string, js: string, sample: string][] = [
  ["\\d", "\\d", "0129"],
  ["\\D", "\\D", "a-中"],
  ["\\w", "\\w", "aZ_0"],
  ["\\W", "\\W", "-. 中"],
  ["\\s", `[${SPACE_JS}]`, " \t\n"],
  ["\\S", `[${NOT_SPACE_JS}]`, "a\v\u00a0"],
];

function flipCase(rng: Rng, s: string, fold: boolean): string {
  if (!fold || rng() < 0.5) return s;
  return s === s.toLowerCase() ? s.toUpperCase() : s.toLowerCase();
}

function genAtom(rng: Rng, depth: number, dotall: boolean, counter: { groups: number }): Gen {
  const r = rng();
  if (r < 0.35 || depth <= 0) {
    const [re2, js, value] = pick(rng, LITERALS);
    return {
      re2,
      js,
      sample: (rng, fold) => (value.length === 1 && value < "\x80" ? flipCase(rng, value, fold) : value),
    };
  }
  if (r < 0.45) {
    return {
      re2: ".",
      js: dotall ? "[\\s\\S]" : "[^\\n]",
      sample: (rng) => {
        const c = pick(rng, ALPHABET);
        return c === "\n" && !dotall ? "x" : c;
      },
    };
  }
  if (r < 0.52) {
    const [re2, js, sample] = pick(rng, OUTSIDE);
    return { re2, js, sample: (rng) => pick(rng, [...sample]) };
  }
  if (r < 0.7) {
    const members = Array.from({ length: int(rng, 1, 3) }, () => pick(rng, MEMBERS));
    const negated = rng() < 0.3;
    const re2 = `[${negated ? "^" : ""}${members.map((m) => m[0]).join("")}]`;
    const js = `[${negated ? "^" : ""}${members.map((m) => m[1]).join("")}]`;
    const pool = members.map((m) => m[2]).join("");
    return {
      re2,
      js,
      sample: (rng, fold) => (negated ? pick(rng, ALPHABET) : flipCase(rng, pick(rng, [...pool]), fold)),
    };
  }
  if (r < 0.74) {
    const which = rng() < 0.5;
    return { re2: which ? "^" : "$", js: which ? "^" : "$", sample: () => "" };
  }
  // group
  const inner = genAlt(rng, depth - 1, dotall, counter);
  const kind = rng();
  if (kind < 0.3) return { re2: `(${inner.re2})`, js: `(?:${inner.js})`, sample: inner.sample };
  if (kind < 0.6) return { re2: `(?:${inner.re2})`, js: `(?:${inner.js})`, sample: inner.sample };
  if (kind < 0.7) {
    const name = `g${counter.groups++}`;
    return { re2: `(?P<${name}>${inner.re2})`, js: `(?:${inner.js})`, sample: inner.sample };
  }
  const fold = kind < 0.85;
  return {
    re2: `(?${fold ? "i" : "-i"}:${inner.re2})`,
    js: `(?${fold ? "i" : "-i"}:${inner.js})`,
    sample: (rng) => inner.sample(rng, fold),
  };
}

function genPiece(rng: Rng, depth: number, dotall: boolean, counter: { groups: number }): Gen {
  const atom = genAtom(rng, depth, dotall, counter);
  if (atom.re2 === "^" || atom.re2 === "$" || rng() < 0.55) return atom; // JS cannot repeat an assertion
  const q = rng();
  let min: number, max: number, text: string;
  if (q < 0.25) [min, max, text] = [0, -1, "*"];
  else if (q < 0.45) [min, max, text] = [1, -1, "+"];
  else if (q < 0.65) [min, max, text] = [0, 1, "?"];
  else if (q < 0.75) {
    min = max = int(rng, 0, 3);
    text = `{${min}}`;
  } else if (q < 0.85) {
    min = int(rng, 0, 2);
    max = -1;
    text = `{${min},}`;
  } else {
    min = int(rng, 0, 2);
    max = int(rng, min, 3);
    text = `{${min},${max}}`;
  }
  if (rng() < 0.2) text += "?";
  return {
    re2: atom.re2 + text,
    js: atom.js + text,
    sample: (rng, fold) => {
      const n = max === -1 ? min + int(rng, 0, 3) : int(rng, min, max);
      let s = "";
      for (let k = 0; k < n; k++) s += atom.sample(rng, fold);
      return s;
    },
  };
}

function genAlt(rng: Rng, depth: number, dotall: boolean, counter: { groups: number }): Gen {
  const branches = Array.from({ length: rng() < 0.7 ? 1 : int(rng, 2, 3) }, () => {
    const pieces = Array.from(
      { length: int(rng, rng() < 0.1 ? 0 : 1, 4) },
      () => genPiece(rng, depth, dotall, counter),
    );
    return {
      re2: pieces.map((p) => p.re2).join(""),
      js: pieces.map((p) => p.js).join(""),
      sample: (rng: Rng, fold: boolean) => pieces.map((p) => p.sample(rng, fold)).join(""),
    };
  });
  return {
    re2: branches.map((b) => b.re2).join("|"),
    js: branches.map((b) => b.js).join("|"),
    sample: (rng, fold) => pick(rng, branches).sample(rng, fold),
  };
}

/** One generated case: the pattern, the JS oracle, and inputs to try. */
export interface CorpusEntry {
  pattern: string;
  oracle: RegExp;
  inputs: string[];
}

function mutate(rng: Rng, s: string): string {
  const chars = [...s];
  const edits = int(rng, 1, 2);
  for (let k = 0; k < edits; k++) {
    const at = int(rng, 0, chars.length);
    const e = rng();
    if (e < 0.4 && chars.length) chars.splice(Math.min(at, chars.length - 1), 1);
    else if (e < 0.8) chars.splice(at, 0, pick(rng, ALPHABET));
    else if (chars.length) chars[Math.min(at, chars.length - 1)] = pick(rng, ALPHABET);
  }
  return chars.join("");
}

/** `count` random patterns with inputs, the same for a given seed. Inputs stay short (≤ 16). */
export function corpus(seed: number, count: number): CorpusEntry[] {
  const rng = prng(seed);
  const out: CorpusEntry[] = [];
  for (let n = 0; n < count; n++) {
    const counter = { groups: 0 };
    const fold = rng() < 0.15, dotall = rng() < 0.15;
    const body = genAlt(rng, 2, dotall, counter);
    const prefix = (fold ? "(?i)" : "") + (dotall ? "(?s)" : "");
    const inputs: string[] = [];
    for (let k = 0; k < 3; k++) inputs.push(body.sample(rng, fold).slice(0, 16));
    for (let k = 0; k < 2; k++) inputs.push(mutate(rng, inputs[k]).slice(0, 16));
    inputs.push(Array.from({ length: int(rng, 0, 6) }, () => pick(rng, ALPHABET)).join(""));
    out.push({ pattern: prefix + body.re2, oracle: new RegExp(`^(?:${body.js})$`, fold ? "i" : ""), inputs });
  }
  return out;
}
