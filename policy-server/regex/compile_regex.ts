/**
 * The regex compiler: parses an HTTPRoute `RegularExpression` value (the RE2 syntax Envoy's
 * `safe_regex` accepts, as far as routing needs it) and compiles it into a program for the filter's
 * Pike VM (`filter/assembly/core/regex.ts`). The program format, the supported syntax and the
 * limits are described in docs/regex.md; this is the only parser of patterns in the project — the
 * filter never sees a pattern, only a program.
 *
 * ```ts
 * import { compileRegex, tryCompileRegex } from "./compile_regex.ts";
 * const program = compileRegex("/api/v[0-9]+/.*");  // 8-byte instructions
 * const result = tryCompileRegex("a(?=b)");
 * if ("error" in result) console.log(result.error.message); // "Unsupported lookahead (?= at 1"
 * ```
 *
 * @module
 */

/** Instruction opcodes (docs/regex.md). */
export const OP = {
  RANGE: 0,
  CHAR: 1,
  ANY: 2,
  CLASS: 3,
  SPLIT: 4,
  JMP: 5,
  MATCH: 6,
  BEGIN: 7,
  END: 8,
} as const;

/** `flags` bit 0: CHAR case-insensitive (ASCII), ANY also matches `\n`, CLASS negated. */
export const FLAG_BIT0 = 1;

/** Bytes per instruction. */
export const INSTRUCTION_SIZE = 8;

/** What a pattern and its program may not exceed. */
export const REGEX_LIMITS = {
  /** Pattern length in UTF-16 code units. */
  patternLength: 1024,
  /** The largest count in `{n}`, `{n,}`, `{n,m}` (RE2's own limit). */
  repeatCount: 1000,
  /** Instructions in a program, range slots included. */
  instructions: 2048,
} as const;

/** A pattern the compiler refuses: `message` is `<reason> at <position>`. */
export class RegexSyntaxError extends SyntaxError {
  /** Offset in the pattern, in UTF-16 code units, where the problem is. */
  readonly position: number;
  /** The message without its position. */
  readonly reason: string;
  constructor(reason: string, position: number) {
    super(`${reason} at ${position}`);
    this.name = "RegexSyntaxError";
    this.reason = reason;
    this.position = position;
  }
}

// ---------------------------------------------------------------------------------------------
// Character sets: sorted, disjoint, non-adjacent inclusive ranges of UTF-16 code units.

type Ranges = [number, number][];

const MAX_UNIT = 0xffff;

function normalize(ranges: Ranges): Ranges {
  const sorted = ranges.map(([lo, hi]) => [lo, hi] as [number, number]).sort((x, y) => x[0] - y[0]);
  const out: Ranges = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(ranges: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_UNIT) out.push([next, MAX_UNIT]);
  return out;
}

/** Adds the other ASCII case of every ASCII letter in the set. */
function foldAscii(ranges: Ranges): Ranges {
  const out: Ranges = [...ranges];
  for (const [lo, hi] of ranges) {
    for (const [from, to, delta] of [[0x41, 0x5a, 0x20], [0x61, 0x7a, -0x20]]) {
      const l = Math.max(lo, from), h = Math.min(hi, to);
      if (l <= h) out.push([l + delta, h + delta]);
    }
  }
  return normalize(out);
}

const DIGIT: Ranges = [[0x30, 0x39]];
const SPACE: Ranges = [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]]; // RE2's \s: [\t\n\f\r ]
const WORD: Ranges = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];

const PERL_CLASSES: Record<string, Ranges> = {
  d: DIGIT,
  D: complement(DIGIT),
  s: SPACE,
  S: complement(SPACE),
  w: WORD,
  W: complement(WORD),
};

const POSIX_CLASSES: Record<string, Ranges> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: DIGIT,
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: WORD,
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

// ---------------------------------------------------------------------------------------------
// Syntax tree. `size` is the node's exact instruction count, known when the node is built, so a
// pattern that would compile too large is refused before anything is expanded.

type Node =
  | { t: "empty"; size: 0 }
  | { t: "char"; c: number; fold: boolean; size: 1 }
  | { t: "any"; nl: boolean; size: 1 }
  | { t: "class"; ranges: Ranges; negated: boolean; size: number }
  | { t: "begin"; size: 1 }
  | { t: "end"; size: 1 }
  | { t: "cat"; items: Node[]; size: number }
  | { t: "alt"; items: Node[]; size: number }
  | { t: "repeat"; sub: Node; min: number; max: number; size: number }; // max -1: unbounded

const EMPTY: Node = { t: "empty", size: 0 };

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function charNode(c: number, fold: boolean): Node {
  return { t: "char", c, fold: fold && isAsciiLetter(c), size: 1 };
}

/** A class node, or a CHAR/ANY when the set allows it. */
function classNode(ranges: Ranges, negated: boolean): Node {
  const set = normalize(ranges);
  if (!negated && set.length === 1 && set[0][0] === set[0][1]) return charNode(set[0][0], false);
  if (
    !negated && set.length === 2 && set[0][0] === set[0][1] && set[1][0] === set[1][1] &&
    isAsciiLetter(set[0][0]) && set[1][0] === set[0][0] + 0x20
  ) {
    return charNode(set[0][0], true);
  }
  if (negated && set.length === 0) return { t: "any", nl: true, size: 1 };
  return { t: "class", ranges: set, negated, size: 1 + set.length };
}

function cat(items: Node[]): Node {
  if (items.length === 0) return EMPTY;
  if (items.length === 1) return items[0];
  return { t: "cat", items, size: items.reduce((n, x) => n + x.size, 0) };
}

function alt(items: Node[]): Node {
  if (items.length === 1) return items[0];
  return { t: "alt", items, size: items.reduce((n, x) => n + x.size, 0) + 2 * (items.length - 1) };
}

function repeatSize(s: number, min: number, max: number): number {
  if (max === -1) return min === 0 ? s + 2 : min * s + 1;
  return min * s + (max - min) * (s + 1);
}

// ---------------------------------------------------------------------------------------------
// Parser

interface Flags {
  /** (?i): ASCII letters match either case. */
  i: boolean;
  /** (?s): `.` also matches `\n`. */
  s: boolean;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isOctal = (c: string | undefined) => c !== undefined && c >= "0" && c <= "7";
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** An escape's meaning: one code point, or a set (Perl class). */
type Escaped = { point: number } | { set: Ranges };

class Parser {
  private pos = 0;
  private readonly names = new Set<string>();

  constructor(private readonly src: string) {}

  private fail(reason: string, at: number = this.pos): never {
    throw new RegexSyntaxError(reason, at);
  }

  parse(): Node {
    const node = this.alternation({ i: false, s: false }, 0);
    if (this.pos < this.src.length) this.fail("Unmatched )"); // alternation stops only at ')' or the end
    return node;
  }

  /**
   * A sequence of alternatives up to an unmatched `)` (not consumed) or the end. `base`: the size of
   * what the enclosing groups hold so far — a lower bound, so the pattern is refused where its
   * program first grows past the limit, before anything is expanded.
   */
  private alternation(outer: Flags, base: number): Node {
    const src = this.src;
    const flags = { ...outer }; // (?i) in the middle of a group changes it up to the group's end
    const branches: Node[] = [];
    let items: Node[] = [];
    let done = 0; // size of the finished branches, with their SPLIT and JMP
    let current = 0; // size of items
    const check = (at: number) => {
      if (base + done + current + 1 > REGEX_LIMITS.instructions) {
        this.fail(`Regex program exceeds ${REGEX_LIMITS.instructions} instructions`, at);
      }
    };
    // What a quantifier here would apply to: nothing, an atom, or a repetition (refused).
    let prev: "none" | "atom" | "repeat" = "none";
    let prevQuantifier = "";
    while (this.pos < src.length) {
      const start = this.pos;
      const c = src[start];
      if (c === ")") break;
      if (c === "|") {
        branches.push(cat(items));
        done += current + 2;
        items = [];
        current = 0;
        check(start);
        prev = "none";
        this.pos++;
        continue;
      }
      const quantifier = this.quantifier();
      if (quantifier) {
        const text = src.slice(start, this.pos);
        if (prev === "none") this.fail(`Missing argument to repetition operator ${text}`, start);
        if (prev === "repeat") {
          if (c === "+") this.fail(`Unsupported possessive quantifier ${prevQuantifier}+`, start);
          this.fail(`Bad repetition operator ${prevQuantifier}${text}`, start);
        }
        const sub = items[items.length - 1];
        const size = repeatSize(sub.size, quantifier.min, quantifier.max);
        items[items.length - 1] = { t: "repeat", sub, min: quantifier.min, max: quantifier.max, size };
        current += size - sub.size;
        check(start);
        prev = "repeat";
        prevQuantifier = text;
        continue;
      }
      if (c === "(") {
        const group = this.group(flags, base + done + current);
        if (group === null) {
          prev = "none"; // a flag directive such as (?i): nothing to repeat
        } else {
          items.push(group);
          current += group.size;
          check(start);
          prev = "atom";
        }
        continue;
      }
      if (c === "\\" && src[start + 1] === "Q") {
        // \Q...\E: literal text; a quantifier after it applies to its last character, as in RE2.
        this.pos += 2;
        const end = src.indexOf("\\E", this.pos);
        const stop = end < 0 ? src.length : end;
        while (this.pos < stop) {
          const at = this.pos;
          const item = this.literal(flags);
          items.push(item);
          current += item.size;
          check(at);
          prev = "atom";
        }
        this.pos = end < 0 ? src.length : end + 2;
        continue;
      }
      const item = this.atom(flags);
      items.push(item);
      current += item.size;
      check(start);
      prev = "atom";
    }
    branches.push(cat(items));
    return alt(branches);
  }

  /** Consumes a quantifier at pos (with a lazy `?` suffix), or returns null and consumes nothing. */
  private quantifier(): { min: number; max: number } | null {
    const src = this.src;
    const c = src[this.pos];
    let q: { min: number; max: number } | null = null;
    if (c === "*") q = { min: 0, max: -1 };
    else if (c === "+") q = { min: 1, max: -1 };
    else if (c === "?") q = { min: 0, max: 1 };
    if (q) {
      this.pos++;
    } else if (c === "{") {
      // {n}, {n,}, {n,m}; anything else (including {,m}) is a literal '{', as in RE2.
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(this.pos));
      if (!m) return null;
      const start = this.pos;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === "" ? -1 : Number(m[3]);
      for (const n of [min, max]) {
        if (n > REGEX_LIMITS.repeatCount) {
          this.fail(`Repetition count ${n} exceeds ${REGEX_LIMITS.repeatCount}`, start);
        }
      }
      if (max !== -1 && max < min) {
        this.fail(`Bad repetition operator ${m[0]}: minimum exceeds maximum`, start);
      }
      this.pos += m[0].length;
      q = { min, max };
    } else {
      return null;
    }
    if (src[this.pos] === "?") this.pos++; // lazy: the same language, and only a boolean is needed
    return q;
  }

  /** `(`...: a group node, or null for a flag directive `(?flags)`. */
  private group(flags: Flags, base: number): Node | null {
    const src = this.src;
    const open = this.pos;
    this.pos++;
    let inner = flags;
    if (src[this.pos] === "?") {
      const rest = src.slice(this.pos + 1, this.pos + 3);
      if (rest.startsWith("=")) this.fail("Unsupported lookahead (?=", open);
      if (rest.startsWith("!")) this.fail("Unsupported negative lookahead (?!", open);
      if (rest === "<=") this.fail("Unsupported lookbehind (?<=", open);
      if (rest === "<!") this.fail("Unsupported negative lookbehind (?<!", open);
      if (rest === "P=" || rest === "P>") this.fail(`Unsupported backreference (?${rest}`, open);
      if (rest.startsWith(">")) this.fail("Unsupported atomic group (?>", open);
      if (rest.startsWith("#")) this.fail("Unsupported comment (?#", open);
      if (rest.startsWith(":")) {
        this.pos += 2;
      } else if (rest.startsWith("<") || rest === "P<") {
        // Named capture (?P<name>...) or (?<name>...): only the grouping matters here.
        this.pos += rest === "P<" ? 3 : 2;
        const end = src.indexOf(">", this.pos);
        const name = end < 0 ? "" : src.slice(this.pos, end);
        if (end < 0 || !/^[A-Za-z0-9_]+$/.test(name)) this.fail("Invalid capture group name", open);
        if (this.names.has(name)) this.fail(`Duplicate capture group name ${name}`, open);
        this.names.add(name);
        this.pos = end + 1;
      } else {
        const updated = this.flagGroup(flags, open);
        if (src[this.pos] === ")") {
          // (?flags): applies to the rest of the enclosing group.
          this.pos++;
          flags.i = updated.i;
          flags.s = updated.s;
          return null;
        }
        this.pos++; // ':'
        inner = updated;
      }
    }
    const node = this.alternation(inner, base);
    if (this.pos >= src.length) this.fail("Missing )", src.length);
    this.pos++;
    return node;
  }

  /** Parses the letters of `(?flags)` / `(?flags:`; leaves pos on the `)` or `:`. */
  private flagGroup(flags: Flags, open: number): Flags {
    const src = this.src;
    const out = { ...flags };
    this.pos++; // '?'
    let negated = false;
    let letters = 0;
    while (true) {
      const at = this.pos;
      const c = src[at];
      if (c === undefined) this.fail("Missing )", src.length);
      if (c === ")" || c === ":") {
        if (letters === 0 && !negated) this.fail("Missing flags in (?", open); // (?) and (?:) handled apart
        if (negated && letters === 0) this.fail("Missing flag after - in (?", open);
        return out;
      }
      if (c === "-") {
        if (negated) this.fail("Invalid flags: second -", at);
        negated = true;
        letters = 0;
      } else if (c === "i") {
        out.i = !negated;
        letters++;
      } else if (c === "s") {
        out.s = !negated;
        letters++;
      } else if (c === "U") {
        letters++; // ungreedy: the same language
      } else if (c === "m") {
        if (!negated) this.fail("Unsupported flag m (multi-line ^ and $)", at);
        letters++;
      } else {
        this.fail(`Invalid or unsupported group syntax (?${src.slice(open + 2, at + 1)}`, open);
      }
      this.pos++;
    }
  }

  /** One literal code unit (a surrogate pair as a whole), consumed. */
  private literal(flags: Flags): Node {
    const c = this.src.charCodeAt(this.pos);
    const d = this.src.charCodeAt(this.pos + 1);
    if (isHighSurrogate(c) && isLowSurrogate(d)) {
      this.pos += 2;
      return cat([charNode(c, false), charNode(d, false)]);
    }
    this.pos++;
    return charNode(c, flags.i);
  }

  private atom(flags: Flags): Node {
    const src = this.src;
    const c = src[this.pos];
    switch (c) {
      case ".":
        this.pos++;
        return { t: "any", nl: flags.s, size: 1 };
      case "^":
        this.pos++;
        return { t: "begin", size: 1 };
      case "$":
        this.pos++;
        return { t: "end", size: 1 };
      case "[":
        return this.charClass(flags);
      case "\\": {
        const start = this.pos;
        const next = src[start + 1];
        if (next === "A") {
          this.pos += 2;
          return { t: "begin", size: 1 };
        }
        if (next === "z") {
          this.pos += 2;
          return { t: "end", size: 1 };
        }
        const e = this.escape(false);
        if ("set" in e) return classNode(flags.i ? foldAscii(e.set) : e.set, false);
        return this.pointNode(e.point, flags);
      }
      default:
        return this.literal(flags);
    }
  }

  private pointNode(point: number, flags: Flags): Node {
    if (point > MAX_UNIT) {
      const v = point - 0x10000;
      return cat([charNode(0xd800 + (v >> 10), false), charNode(0xdc00 + (v & 0x3ff), false)]);
    }
    return charNode(point, flags.i);
  }

  /** A backslash escape at pos (consumed). `inClass`: inside `[...]`. */
  private escape(inClass: boolean): Escaped {
    const src = this.src;
    const start = this.pos;
    this.pos++;
    if (this.pos >= src.length) this.fail("Trailing backslash", start);
    const c = src[this.pos];
    this.pos++;
    const code = c.charCodeAt(0);
    // Octal: \0, \0oo, or \[1-7] followed by an octal digit (up to three digits in all).
    if (c === "0" || (c >= "1" && c <= "7" && isOctal(src[this.pos]))) {
      let value = code - 0x30;
      for (let k = 0; k < 2 && isOctal(src[this.pos]); k++) {
        value = value * 8 + (src.charCodeAt(this.pos++) - 0x30);
      }
      return { point: value };
    }
    if (isDigit(c)) this.fail(`Unsupported backreference \\${c}`, start);
    switch (c) {
      case "a":
        return { point: 0x07 };
      case "f":
        return { point: 0x0c };
      case "t":
        return { point: 0x09 };
      case "n":
        return { point: 0x0a };
      case "r":
        return { point: 0x0d };
      case "v":
        return { point: 0x0b };
      case "x": {
        if (src[this.pos] === "{") {
          const end = src.indexOf("}", this.pos);
          const digits = end < 0 ? "" : src.slice(this.pos + 1, end);
          if (!/^[0-9A-Fa-f]{1,8}$/.test(digits) || parseInt(digits, 16) > 0x10ffff) {
            this.fail("Invalid escape \\x{...}", start);
          }
          this.pos = end + 1;
          return { point: parseInt(digits, 16) };
        }
        if (!isHex(src[this.pos]) || !isHex(src[this.pos + 1])) {
          this.fail("Invalid escape \\x (want \\xHH)", start);
        }
        this.pos += 2;
        return { point: parseInt(src.slice(this.pos - 2, this.pos), 16) };
      }
      case "d":
      case "D":
      case "s":
      case "S":
      case "w":
      case "W":
        return { set: PERL_CLASSES[c] };
      case "p":
      case "P":
        this.fail(`Unsupported Unicode class \\${c}`, start);
        break;
      case "b":
      case "B":
        this.fail(`Unsupported word boundary \\${c}`, start);
        break;
      case "C":
        this.fail("Unsupported \\C (any byte)", start);
        break;
      case "k":
      case "g":
        this.fail(`Unsupported backreference \\${c}`, start);
        break;
      case "A":
      case "z":
      case "Q":
      case "E":
        // Outside a class, \A \z \Q are handled by the caller.
        this.fail(`Invalid escape \\${c}${inClass ? " in a class" : ""}`, start);
    }
    // Escaped ASCII punctuation (and space, and _) stands for itself.
    if (code < 0x80 && !/[A-Za-z0-9]/.test(c)) return { point: code };
    return this.fail(`Invalid escape \\${c}`, start);
  }

  /** `[...]` at pos. */
  private charClass(flags: Flags): Node {
    const src = this.src;
    this.pos++;
    let negated = false;
    if (src[this.pos] === "^") {
      negated = true;
      this.pos++;
    }
    const ranges: Ranges = [];
    let first = true;
    while (true) {
      if (this.pos >= src.length) this.fail("Missing ]", src.length);
      const at = this.pos;
      const c = src[at];
      if (c === "]" && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === "[" && src[at + 1] === ":") {
        const end = src.indexOf(":]", at + 2);
        if (end >= 0) {
          let name = src.slice(at + 2, end);
          const not = name.startsWith("^");
          if (not) name = name.slice(1);
          const set = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
          if (!set) this.fail(`Invalid POSIX class [:${src.slice(at + 2, end)}:]`, at);
          ranges.push(...(not ? complement(set) : set));
          this.pos = end + 2;
          continue;
        }
      }
      const lo = this.classAtom();
      if ("set" in lo) {
        ranges.push(...lo.set);
        continue;
      }
      if (src[this.pos] === "-" && this.pos + 1 < src.length && src[this.pos + 1] !== "]") {
        this.pos++;
        const hiAt = this.pos;
        const hi = this.classAtom();
        if ("set" in hi) this.fail("Invalid class range: a class cannot end a range", hiAt);
        if (hi.point < lo.point) this.fail(`Invalid class range ${src.slice(at, this.pos)}`, at);
        ranges.push([lo.point, hi.point]);
      } else {
        ranges.push([lo.point, lo.point]);
      }
    }
    return classNode(flags.i ? foldAscii(ranges) : ranges, negated);
  }

  /** One member of a class: a code unit or a Perl class (consumed). */
  private classAtom(): Escaped {
    const src = this.src;
    const at = this.pos;
    let e: Escaped;
    if (src[at] === "\\") {
      e = this.escape(true);
    } else {
      const c = src.charCodeAt(at);
      if (isHighSurrogate(c) && isLowSurrogate(src.charCodeAt(at + 1))) {
        this.fail("Characters above U+FFFF in a class are not supported", at);
      }
      this.pos++;
      e = { point: c };
    }
    if ("point" in e && e.point > MAX_UNIT) {
      this.fail("Characters above U+FFFF in a class are not supported", at);
    }
    return e;
  }
}

// ---------------------------------------------------------------------------------------------
// Code generation (Thompson construction)

type Instruction = [op: number, flags: number, a: number, b: number];

class Emitter {
  readonly code: Instruction[] = [];

  private emit(op: number, flags = 0, a = 0, b = 0): number {
    this.code.push([op, flags, a, b]);
    return this.code.length - 1;
  }

  node(n: Node): void {
    switch (n.t) {
      case "empty":
        return;
      case "char":
        this.emit(OP.CHAR, n.fold ? FLAG_BIT0 : 0, 0, n.c);
        return;
      case "any":
        this.emit(OP.ANY, n.nl ? FLAG_BIT0 : 0);
        return;
      case "class":
        this.emit(OP.CLASS, n.negated ? FLAG_BIT0 : 0, n.ranges.length);
        for (const [lo, hi] of n.ranges) this.emit(OP.RANGE, 0, lo, hi);
        return;
      case "begin":
        this.emit(OP.BEGIN);
        return;
      case "end":
        this.emit(OP.END);
        return;
      case "cat":
        for (const item of n.items) this.node(item);
        return;
      case "alt": {
        const jumps: number[] = [];
        n.items.forEach((item, k) => {
          const last = k === n.items.length - 1;
          const split = last ? -1 : this.emit(OP.SPLIT);
          this.node(item);
          if (!last) {
            jumps.push(this.emit(OP.JMP));
            this.code[split][3] = this.code.length;
          }
        });
        for (const j of jumps) this.code[j][3] = this.code.length;
        return;
      }
      case "repeat":
        this.repeat(n.sub, n.min, n.max);
        return;
    }
  }

  private repeat(sub: Node, min: number, max: number): void {
    if (max === -1) {
      if (min === 0) {
        // L: SPLIT end; sub; JMP L; end:
        const split = this.emit(OP.SPLIT);
        this.node(sub);
        this.emit(OP.JMP, 0, 0, split);
        this.code[split][3] = this.code.length;
        return;
      }
      for (let k = 0; k < min - 1; k++) this.node(sub);
      // L: sub; SPLIT L
      const loop = this.code.length;
      this.node(sub);
      this.emit(OP.SPLIT, 0, 0, loop);
      return;
    }
    for (let k = 0; k < min; k++) this.node(sub);
    // (sub(sub(...)?)?)?: every SPLIT skips to the same end.
    const splits: number[] = [];
    for (let k = min; k < max; k++) {
      splits.push(this.emit(OP.SPLIT));
      this.node(sub);
    }
    for (const s of splits) this.code[s][3] = this.code.length;
  }
}

function encode(code: Instruction[]): Uint8Array {
  const out = new Uint8Array(code.length * INSTRUCTION_SIZE);
  const view = new DataView(out.buffer);
  code.forEach(([op, flags, a, b], k) => {
    view.setUint8(k * 8, op);
    view.setUint8(k * 8 + 1, flags);
    view.setUint16(k * 8 + 2, a, true);
    view.setUint32(k * 8 + 4, b, true);
  });
  return out;
}

/**
 * Compiles an RE2-syntax pattern into a program with full-match semantics (the whole input must
 * match). Throws {@linkcode RegexSyntaxError} for a pattern RE2 refuses, one using syntax this
 * engine does not support (backreferences, lookarounds, `\b`, `\p{..}`, possessive quantifiers,
 * `(?m)`), or one over a limit in {@linkcode REGEX_LIMITS}.
 */
export function compileRegex(pattern: string): Uint8Array {
  if (pattern.length > REGEX_LIMITS.patternLength) {
    throw new RegexSyntaxError(
      `Pattern of ${pattern.length} characters exceeds ${REGEX_LIMITS.patternLength}`,
      REGEX_LIMITS.patternLength,
    );
  }
  const tree = new Parser(pattern).parse();
  const total = tree.size + 1; // the parser has refused anything over the limit
  const emitter = new Emitter();
  emitter.node(tree);
  emitter.code.push([OP.MATCH, 0, 0, 0]);
  if (emitter.code.length !== total) {
    throw new Error(`internal: sized ${total}, emitted ${emitter.code.length}`);
  }
  return encode(emitter.code);
}

/** {@linkcode compileRegex} without throwing: the program, or the syntax error. */
export function tryCompileRegex(pattern: string): { program: Uint8Array } | { error: RegexSyntaxError } {
  try {
    return { program: compileRegex(pattern) };
  } catch (e) {
    if (e instanceof RegexSyntaxError) return { error: e };
    throw e;
  }
}
