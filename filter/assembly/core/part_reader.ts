// Reads one part of a format-3 rule blob (docs/blob-format.md) in place: bytes, LEB128 varints and
// string references, every read checked against the end of the section it is in. A part is four
// sections (tables, records, rule IDs, rules) that lie apart in the blob: section k of every part
// follows section k - 1 of every part, as the part directory says. Reads go to the records section,
// and to the rules section between ruleId() and endRule(); the caller reads fields in the order the
// format lists them. Nothing here traps: a read past the end, an overlong varint or a bad reference
// sets `failed` (with `error`) and returns 0, and every count is checked against the bytes left
// before anything loops over it, so a hostile part costs no more work than its own length.
import {
  MAX_RULES_PER_ROUTE, MAX_VARINT_BYTES, SECTION_COUNT, SECTION_RECORDS, SECTION_RULE_IDS, SECTION_RULES,
  SECTION_TABLES, STRING_REF_FIRST, STRING_REF_NEXT, STRING_REF_NONE, STRING_REF_ROUTE_NAMESPACE,
} from "./blob_format";

/** A string reference that is absent (STRING_REF_NONE). */
export const NO_STRING: i32 = -1;
/** The length of a namespace string whose HTTPRoute name has no "/". */
const NO_NAMESPACE: u32 = 0xffffffff;
const SECTION_NAMES: StaticArray<string> = ["tables", "records", "rule IDs", "rules"];

export class PartReader {
  /** The current section: the next byte, and its end. */
  at: usize = 0;
  end: usize = 0;
  failed: bool = false;
  error: string = "";
  /** The part's strings: address and length of each, in place in the blob; after them, per HTTPRoute, its namespace. */
  ptrs: StaticArray<u32> = new StaticArray<u32>(0);
  lens: StaticArray<u32> = new StaticArray<u32>(0);
  count: i32 = 0;
  /** How many strings have been referenced: STRING_REF_NEXT takes the next. */
  used: i32 = 0;
  /** The part's regex programs: address and length of each. */
  programPtrs: StaticArray<u32> = new StaticArray<u32>(0);
  programLens: StaticArray<u32> = new StaticArray<u32>(0);
  programs: i32 = 0;
  /** The part's HTTPRoutes (rule-ID section): each one's name (a string index) and first rule number. */
  routeNames: StaticArray<i32> = new StaticArray<i32>(0);
  routeFirst: StaticArray<u32> = new StaticArray<u32>(0);
  routes: i32 = 0;
  ruleTotal: u32 = 0;
  /** The last rule's number (-1 before the first), and its HTTPRoute (entry, and name's string index). */
  lastRule: i64 = -1;
  ruleRouteEntry: i32 = -1;
  ruleRoute: i32 = 0;
  /** The sections of the part: which one `at`/`end` read, and where each other one stands. */
  cur: i32 = 0;
  secAt: StaticArray<usize> = new StaticArray<usize>(<i32>SECTION_COUNT);
  secEnd: StaticArray<usize> = new StaticArray<usize>(<i32>SECTION_COUNT);
  /** The directory: where the next part's entry is, and where each section of the next part starts. */
  dirAt: usize = 0;
  dirEnd: usize = 0;
  groupAt: StaticArray<u64> = new StaticArray<u64>(<i32>SECTION_COUNT);
  /** What markRule() kept, for rereadRule(). */
  markIds: usize = 0;
  markRules: usize = 0;
  markUsed: i32 = 0;
  markLast: i64 = -1;

  fail(msg: string): u32 {
    if (!this.failed) {
      this.failed = true;
      this.error = msg;
    }
    this.at = this.end;
    return 0;
  }

  get left(): usize {
    return this.end - this.at;
  }

  u8(): u32 {
    if (this.at >= this.end) return this.fail("record runs past its section's end");
    return <u32>load<u8>(this.at++);
  }

  varint(): u32 {
    let v: u64 = 0;
    for (let i: u32 = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.u8();
      if (this.failed) return 0;
      v |= <u64>(b & 0x7f) << <u64>(7 * i);
      if (b < 0x80) return v > 0xffffffff ? this.fail("varint over 32 bits") : <u32>v;
    }
    return this.fail("varint longer than " + MAX_VARINT_BYTES.toString() + " bytes");
  }

  /** A count of things at least one byte each: at most the bytes left. */
  count1(what: string): u32 {
    const n = this.varint();
    if (<usize>n > this.left) return this.fail(what + " count " + n.toString() + " past its section's end");
    return n;
  }

  /** Makes section `k` the one `at`/`end` read, keeping where the current one stands. */
  use(k: i32): void {
    unchecked(this.secAt[this.cur] = this.at);
    this.cur = k;
    this.at = unchecked(this.secAt[k]);
    this.end = unchecked(this.secEnd[k]);
  }

  /**
   * Reads the part directory at [from, to): `count` entries of SECTION_COUNT varints, the lengths of
   * each part's sections, which must tile [to, end) section by section. False (and `error`) if not.
   */
  directory(from: usize, to: usize, count: u32, end: usize): bool {
    this.failed = false;
    this.at = from;
    this.end = to;
    if (<u64>count * <u64>SECTION_COUNT > <u64>(to - from)) {
      this.fail("part count " + count.toString() + " past the part directory");
      return false;
    }
    const totals = new StaticArray<u64>(<i32>SECTION_COUNT);
    for (let i: u32 = 0; i < count && !this.failed; i++) {
      for (let k: i32 = 0; k < <i32>SECTION_COUNT; k++) {
        const len = this.varint();
        if (k == <i32>SECTION_TABLES && len == 0 && !this.failed) this.fail("part " + i.toString() + " has no tables");
        unchecked(totals[k] += <u64>len);
      }
    }
    if (this.failed) return false;
    if (this.at != to) {
      this.fail("bytes after the part directory");
      return false;
    }
    let at = <u64>to;
    for (let k: i32 = 0; k < <i32>SECTION_COUNT; k++) {
      unchecked(this.groupAt[k] = at);
      at += unchecked(totals[k]);
    }
    if (at != <u64>end) {
      this.fail("parts do not end at the blob's end");
      return false;
    }
    this.dirAt = from;
    this.dirEnd = to;
    return true;
  }

  /** Starts reading the next part of the directory (checked by directory()): its sections' ranges. */
  nextPart(): void {
    this.at = this.dirAt;
    this.end = this.dirEnd;
    for (let k: i32 = 0; k < <i32>SECTION_COUNT; k++) {
      const len = <u64>this.varint();
      const from = unchecked(this.groupAt[k]);
      unchecked(this.secAt[k] = <usize>from);
      unchecked(this.secEnd[k] = <usize>(from + len));
      unchecked(this.groupAt[k] = from + len);
    }
    this.dirAt = this.at;
    this.cur = <i32>SECTION_TABLES;
    this.at = unchecked(this.secAt[<i32>SECTION_TABLES]);
    this.end = unchecked(this.secEnd[<i32>SECTION_TABLES]);
    this.count = 0;
    this.used = 0;
    this.programs = 0;
    this.routes = 0;
    this.ruleTotal = 0;
    this.lastRule = -1;
    this.ruleRouteEntry = -1;
  }

  /** Every section of the part read to its end. */
  finish(): void {
    this.use(this.cur);
    for (let k: i32 = 0; k < <i32>SECTION_COUNT && !this.failed; k++) {
      if (unchecked(this.secAt[k]) != unchecked(this.secEnd[k])) this.fail("bytes after its " + SECTION_NAMES[k]);
    }
  }

  /** Skips what is left of every section (a part of a kind this filter does not know). */
  skip(): void {
    for (let k: i32 = 0; k < <i32>SECTION_COUNT; k++) unchecked(this.secAt[k] = unchecked(this.secEnd[k]));
    this.at = this.end = unchecked(this.secEnd[this.cur]);
  }

  /**
   * The tables: the string and program tables (tables section; strings checked as UTF-8), then the
   * part's HTTPRoutes (rule-ID section). Reads go to the records section afterwards.
   */
  tables(): void {
    // The HTTPRoutes' count first: their namespaces take string slots after the strings.
    this.use(<i32>SECTION_RULE_IDS);
    const nr = <i32>this.count1("HTTPRoute");
    this.use(<i32>SECTION_TABLES);
    const n = <i32>this.count1("string");
    if (this.failed) return;
    if (this.ptrs.length < n + nr) {
      this.ptrs = new StaticArray<u32>(n + nr);
      this.lens = new StaticArray<u32>(n + nr);
    }
    if (this.routeNames.length < nr) {
      this.routeNames = new StaticArray<i32>(nr);
      this.routeFirst = new StaticArray<u32>(nr);
    }
    for (let i = 0; i < n; i++) {
      const len = this.varint();
      if (<usize>len > this.left) {
        this.fail("string " + i.toString() + " runs past the part's end");
        return;
      }
      if (!validUtf8(this.at, len)) {
        this.fail("string " + i.toString() + " is not valid UTF-8");
        return;
      }
      unchecked(this.ptrs[i] = <u32>this.at);
      unchecked(this.lens[i] = len);
      this.at += len;
    }
    this.count = n;
    const np = <i32>this.count1("program");
    if (this.failed) return;
    if (this.programPtrs.length < np) {
      this.programPtrs = new StaticArray<u32>(np);
      this.programLens = new StaticArray<u32>(np);
    }
    for (let i = 0; i < np; i++) {
      const len = this.varint();
      if (<usize>len > this.left) {
        this.fail("program " + i.toString() + " runs past the part's end");
        return;
      }
      unchecked(this.programPtrs[i] = <u32>this.at);
      unchecked(this.programLens[i] = len);
      this.at += len;
    }
    this.programs = np;
    this.use(<i32>SECTION_RULE_IDS);
    let total: u64 = 0;
    for (let k = 0; k < nr && !this.failed; k++) {
      const name = this.need("rule's HTTPRoute");
      const rules = this.varint();
      if (this.failed) return;
      if (rules == 0 || rules > MAX_RULES_PER_ROUTE) {
        this.fail("HTTPRoute " + k.toString() + " has " + rules.toString() + " rules");
        return;
      }
      unchecked(this.routeNames[k] = name);
      unchecked(this.routeFirst[k] = <u32>total);
      total += rules;
      // Its namespace: the name up to the "/", in place.
      const p = this.ptr(name), len = this.len(name);
      let ns = NO_NAMESPACE;
      for (let j: u32 = 0; j < len; j++) {
        if (load<u8>(p + j) == 0x2f) {
          ns = j;
          break;
        }
      }
      unchecked(this.ptrs[n + k] = <u32>p);
      unchecked(this.lens[n + k] = ns);
    }
    if (total > 0x7fffffff) this.fail("HTTPRoutes of more than 2^31 rules");
    this.routes = nr;
    this.ruleTotal = <u32>total;
    this.use(<i32>SECTION_RECORDS);
  }

  /**
   * A rule's number (rule-ID section, the step from the last one, zigzag): returns its index in its
   * HTTPRoute and sets `ruleRoute`; reads go to the rules section until endRule().
   */
  ruleId(): u32 {
    this.use(<i32>SECTION_RULE_IDS);
    const z = this.varint();
    this.use(<i32>SECTION_RULES);
    if (this.failed) return 0;
    const step: i64 = (z & 1) != 0 ? -<i64>(z >> 1) - 1 : <i64>(z >> 1);
    const n = this.lastRule + 1 + step;
    if (n < 0 || n >= <i64>this.ruleTotal) {
      this.fail("rule number " + n.toString() + " out of range");
      return 0;
    }
    this.lastRule = n;
    // The last HTTPRoute whose first rule number is at most n.
    let lo = 0, hi = this.routes - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (<i64>unchecked(this.routeFirst[mid]) <= n) lo = mid;
      else hi = mid - 1;
    }
    this.ruleRouteEntry = lo;
    this.ruleRoute = unchecked(this.routeNames[lo]);
    return <u32>(n - <i64>unchecked(this.routeFirst[lo]));
  }

  /** The rule is read: reads go to the records section again. */
  endRule(): void {
    this.use(<i32>SECTION_RECORDS);
    this.ruleRouteEntry = -1;
  }

  /** Keeps where the next rule starts (rule-ID and rules sections, string table), for rereadRule(). */
  markRule(): void {
    unchecked(this.secAt[this.cur] = this.at);
    this.markIds = unchecked(this.secAt[<i32>SECTION_RULE_IDS]);
    this.markRules = unchecked(this.secAt[<i32>SECTION_RULES]);
    this.markUsed = this.used;
    this.markLast = this.lastRule;
  }

  /** Goes back to where markRule() was, to read the rule again: it ends where the first reading did. */
  rereadRule(): void {
    this.use(<i32>SECTION_RECORDS);
    unchecked(this.secAt[<i32>SECTION_RULE_IDS] = this.markIds);
    unchecked(this.secAt[<i32>SECTION_RULES] = this.markRules);
    this.used = this.markUsed;
    this.lastRule = this.markLast;
  }

  /** A string reference: the string's index, or NO_STRING for an absent one. */
  ref(): i32 {
    const r = this.varint();
    if (this.failed || r == STRING_REF_NONE) return NO_STRING;
    if (r == STRING_REF_NEXT) {
      if (this.used >= this.count) {
        this.fail("string reference past the string table");
        return NO_STRING;
      }
      return this.used++;
    }
    if (r == STRING_REF_ROUTE_NAMESPACE) {
      const k = this.ruleRouteEntry;
      if (k < 0 || unchecked(this.lens[this.count + k]) == NO_NAMESPACE) {
        this.fail("a rule's HTTPRoute namespace outside a rule, or of a name without one");
        return NO_STRING;
      }
      return this.count + k;
    }
    const i = r - STRING_REF_FIRST;
    if (i >= <u32>this.used) {
      this.fail("string reference " + r.toString() + " out of range");
      return NO_STRING;
    }
    return <i32>i;
  }

  /** A string reference that must be present. */
  need(what: string): i32 {
    const i = this.ref();
    if (i == NO_STRING && !this.failed) this.fail(what + " missing");
    return this.failed ? 0 : i;
  }

  ptr(i: i32): usize {
    return <usize>unchecked(this.ptrs[i]);
  }
  len(i: i32): u32 {
    return unchecked(this.lens[i]);
  }
  /** String `i` as a string (for the objects of rules that need them); "" for NO_STRING. */
  text(i: i32): string {
    return i == NO_STRING ? "" : String.UTF8.decodeUnsafe(this.ptr(i), <usize>this.len(i));
  }
  /** Whether string `i` is these bytes. */
  equals(i: i32, bytes: ArrayBuffer): bool {
    const n = this.len(i);
    return n == <u32>bytes.byteLength && memory.compare(this.ptr(i), changetype<usize>(bytes), <usize>n) == 0;
  }

  /** A program reference: its index, checked. */
  program(): i32 {
    const p = this.varint();
    if (p >= <u32>this.programs) {
      this.fail("program reference out of range");
      return 0;
    }
    return <i32>p;
  }
}

/** Whether bytes are well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
export function validUtf8(base: usize, len: u32): bool {
  let i: u32 = 0;
  while (i < len) {
    const c = <u32>load<u8>(base + i);
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: u32, min: u32, cp: u32;
    if ((c & 0xe0) == 0xc0) {
      n = 1; min = 0x80; cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2; min = 0x800; cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3; min = 0x10000; cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= len) return false; // the sequence runs past the end
    for (let k: u32 = 1; k <= n; k++) {
      const cc = <u32>load<u8>(base + i + k);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}
