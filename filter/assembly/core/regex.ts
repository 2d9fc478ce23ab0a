// The filter's regex engine: runs programs the policy server compiled from RE2-syntax patterns
// (docs/regex.md). There is no pattern parser here. Matching is a Pike VM — a breadth-first
// simulation of the program's NFA over the input's UTF-16 code units — so it takes
// O(input × program) time whatever the pattern and input, never backtracks, and allocates nothing
// per call: the thread lists and the closure stack are allocated by decode, sized by the program.
//
// Program.decode checks every field, target and range before anything runs; fullMatch relies on
// those checks for its unchecked() indexing (every pc it reaches is < count by construction).

export const OP_RANGE: u8 = 0;
export const OP_CHAR: u8 = 1;
export const OP_ANY: u8 = 2;
export const OP_CLASS: u8 = 3;
export const OP_SPLIT: u8 = 4;
export const OP_JMP: u8 = 5;
export const OP_MATCH: u8 = 6;
export const OP_BEGIN: u8 = 7;
export const OP_END: u8 = 8;

/** flags bit 0: CHAR case-insensitive (ASCII), ANY also matches '\n', CLASS negated. */
const BIT0: u8 = 1;
export const MAX_INSTRUCTIONS: u32 = 2048;

/** Why the last Program.decode returned null (for logs). */
export let programError: string = "";

function invalid(pc: i32, msg: string): Program | null {
  programError = pc < 0 ? msg : pc.toString() + ": " + msg;
  return null;
}

function foldAscii(c: u32): u32 {
  return c - 0x41 < 26 ? c | 0x20 : c;
}

export class Program {
  /** Instructions, range slots included. */
  readonly count: i32;
  private op: StaticArray<u8>;
  private flags: StaticArray<u8>;
  private a: StaticArray<u16>;
  /** b; for a case-insensitive CHAR, the code unit already folded to lower case. */
  private b: StaticArray<u32>;
  // Two thread lists (sparse sets of pcs) and the epsilon-closure stack.
  private dense0: StaticArray<i32>;
  private sparse0: StaticArray<i32>;
  private dense1: StaticArray<i32>;
  private sparse1: StaticArray<i32>;
  private stack: StaticArray<i32>;

  private constructor(count: i32) {
    this.count = count;
    this.op = new StaticArray<u8>(count);
    this.flags = new StaticArray<u8>(count);
    this.a = new StaticArray<u16>(count);
    this.b = new StaticArray<u32>(count);
    this.dense0 = new StaticArray<i32>(count);
    this.sparse0 = new StaticArray<i32>(count);
    this.dense1 = new StaticArray<i32>(count);
    this.sparse1 = new StaticArray<i32>(count);
    // One closure adds each pc at most once and pushes at most two per pc added, plus its start.
    this.stack = new StaticArray<i32>(2 * count + 1);
  }

  /**
   * The program in memory [base, base + length), copied; null (with programError set) when it is
   * not a valid program: any unknown op or flag, nonzero reserved field, target out of range or
   * inside a class, class ranges out of order or past the end, a path that runs off the end, no
   * reachable MATCH, or more than MAX_INSTRUCTIONS instructions.
   */
  static decode(base: usize, length: u32): Program | null {
    if ((length & 7) != 0) return invalid(-1, "length is not a multiple of 8");
    const count = length >>> 3;
    if (count == 0) return invalid(-1, "empty program");
    if (count > MAX_INSTRUCTIONS) return invalid(-1, "more than " + MAX_INSTRUCTIONS.toString() + " instructions");
    if (<u64>base + <u64>length > (<u64>memory.size() << 16)) return invalid(-1, "program outside memory");

    const n = <i32>count;
    const p = new Program(n);
    const op = p.op, flags = p.flags, a = p.a, b = p.b;
    for (let pc = 0; pc < n; pc++) {
      const at = base + (<usize>pc << 3);
      unchecked(op[pc] = load<u8>(at));
      unchecked(flags[pc] = load<u8>(at, 1));
      unchecked(a[pc] = load<u16>(at, 2));
      unchecked(b[pc] = load<u32>(at, 4));
    }

    // 1. Instructions in order: fields, fall-through, class ranges. `start` (reusing sparse0,
    // zeroed by allocation) marks instruction starts; range slots are data.
    const start = p.sparse0;
    let pc = 0;
    while (pc < n) {
      unchecked(start[pc] = 1);
      const o = unchecked(op[pc]), f = unchecked(flags[pc]), ai = unchecked(a[pc]), bi = unchecked(b[pc]);
      if (o == OP_CHAR || o == OP_ANY || o == OP_CLASS) {
        if ((f & ~BIT0) != 0) return invalid(pc, "unknown flags");
      } else if (f != 0) {
        return invalid(pc, "unknown flags");
      }
      if (o != OP_CLASS && ai != 0) return invalid(pc, "nonzero a");
      if (o == OP_CHAR) {
        if (bi > 0xffff) return invalid(pc, "CHAR above 0xFFFF");
        if ((f & BIT0) != 0) unchecked(b[pc] = foldAscii(bi));
      } else if (o == OP_ANY || o == OP_MATCH || o == OP_BEGIN || o == OP_END) {
        if (bi != 0) return invalid(pc, "nonzero b");
      } else if (o == OP_CLASS) {
        if (bi != 0) return invalid(pc, "nonzero b");
        const last = pc + <i32>ai; // the last range slot
        if (last + 1 >= n) return invalid(pc, "CLASS runs off the end");
        for (let r = pc + 1; r <= last; r++) {
          if (unchecked(op[r]) != OP_RANGE || unchecked(flags[r]) != 0) return invalid(r, "not a RANGE");
          if (unchecked(b[r]) > 0xffff || <u32>unchecked(a[r]) > unchecked(b[r])) return invalid(r, "bad RANGE");
        }
        pc = last + 1;
        continue;
      } else if (o == OP_SPLIT || o == OP_JMP) {
        if (bi >= count) return invalid(pc, "target out of range");
      } else {
        return invalid(pc, "unknown op " + o.toString());
      }
      if (o != OP_JMP && o != OP_MATCH && pc + 1 >= n) return invalid(pc, "runs off the end");
      pc++;
    }

    // 2. Jumps land on instructions, never inside a class's ranges.
    for (pc = 0; pc < n; pc++) {
      const o = unchecked(op[pc]);
      if (unchecked(start[pc]) != 0 && (o == OP_SPLIT || o == OP_JMP) && unchecked(start[<i32>unchecked(b[pc])]) == 0) {
        return invalid(pc, "target inside a class");
      }
    }

    // 3. A MATCH is reachable from instruction 0 (depth-first, `seen` in sparse1, stack in dense0:
    // each pc is pushed once, so count slots suffice).
    const seen = p.sparse1, todo = p.dense0;
    let sp = 0;
    unchecked(todo[sp++] = 0);
    unchecked(seen[0] = 1);
    let reachable = false;
    while (sp > 0) {
      const at = unchecked(todo[--sp]);
      const o = unchecked(op[at]);
      if (o == OP_MATCH) {
        reachable = true;
        break;
      }
      let t1: i32 = -1, t2: i32 = -1;
      if (o == OP_JMP) t1 = <i32>unchecked(b[at]);
      else if (o == OP_SPLIT) { t1 = at + 1; t2 = <i32>unchecked(b[at]); }
      else if (o == OP_CLASS) t1 = at + 1 + <i32>unchecked(a[at]);
      else t1 = at + 1;
      // Every successor is < n: checked above.
      if (t1 >= 0 && unchecked(seen[t1]) == 0 && sp < n) { unchecked(seen[t1] = 1); unchecked(todo[sp++] = t1); }
      if (t2 >= 0 && unchecked(seen[t2]) == 0 && sp < n) { unchecked(seen[t2] = 1); unchecked(todo[sp++] = t2); }
    }
    if (!reachable) return invalid(-1, "no MATCH is reachable");

    // The scratch arrays' contents do not matter to matching (sparse sets tolerate garbage), but
    // start clean.
    for (let i = 0; i < n; i++) {
      unchecked(p.sparse0[i] = 0);
      unchecked(p.sparse1[i] = 0);
      unchecked(p.dense0[i] = 0);
    }
    return p;
  }

  /** Whether the whole of `s` matches. O(s.length × count); allocates nothing. */
  fullMatch(s: string): bool {
    const len = s.length;
    const ptr = changetype<usize>(s);
    const op = this.op, flags = this.flags, a = this.a, b = this.b;
    let cd = this.dense0, cs = this.sparse0, nd = this.dense1, ns = this.sparse1;
    let cn = this.close(cd, cs, 0, 0, 0, len);
    for (let i = 0; i < len; i++) {
      if (cn == 0) return false;
      const c = <u32>load<u16>(ptr + (<usize>i << 1));
      let nn = 0;
      for (let t = 0; t < cn; t++) {
        const pc = unchecked(cd[t]);
        const o = unchecked(op[pc]);
        if (o == OP_CHAR) {
          const want = unchecked(b[pc]);
          if ((unchecked(flags[pc]) & BIT0) != 0 ? foldAscii(c) == want : c == want) {
            nn = this.close(nd, ns, nn, pc + 1, i + 1, len);
          }
        } else if (o == OP_ANY) {
          if (c != 0x0a || (unchecked(flags[pc]) & BIT0) != 0) nn = this.close(nd, ns, nn, pc + 1, i + 1, len);
        } else if (o == OP_CLASS) {
          const last = pc + <i32>unchecked(a[pc]);
          let inside = false;
          for (let r = pc + 1; r <= last; r++) {
            if (<u32>unchecked(a[r]) <= c && c <= unchecked(b[r])) {
              inside = true;
              break;
            }
          }
          if (inside != ((unchecked(flags[pc]) & BIT0) != 0)) nn = this.close(nd, ns, nn, last + 1, i + 1, len);
        }
      }
      const td = cd, ts = cs;
      cd = nd;
      cs = ns;
      nd = td;
      ns = ts;
      cn = nn;
    }
    for (let t = 0; t < cn; t++) {
      if (unchecked(op[unchecked(cd[t])]) == OP_MATCH) return true;
    }
    return false;
  }

  /**
   * Adds pc0 and everything reachable from it without consuming input (at position pos of len) to
   * the thread list (dense, sparse, size); returns the new size.
   */
  private close(dense: StaticArray<i32>, sparse: StaticArray<i32>, size: i32, pc0: i32, pos: i32, len: i32): i32 {
    const op = this.op, b = this.b, stack = this.stack;
    const cap = stack.length;
    let sp = 0;
    unchecked(stack[sp++] = pc0);
    while (sp > 0) {
      const pc = unchecked(stack[--sp]);
      const at = unchecked(sparse[pc]);
      if (<u32>at < <u32>size && unchecked(dense[at]) == pc) continue;
      unchecked(sparse[pc] = size);
      unchecked(dense[size] = pc);
      size++;
      const o = unchecked(op[pc]);
      // sp + 2 <= cap always holds (see the constructor); the checks only keep that visible.
      if (o == OP_JMP) {
        if (sp < cap) unchecked(stack[sp++] = <i32>unchecked(b[pc]));
      } else if (o == OP_SPLIT) {
        if (sp + 1 < cap) {
          unchecked(stack[sp++] = <i32>unchecked(b[pc]));
          unchecked(stack[sp++] = pc + 1);
        }
      } else if (o == OP_BEGIN) {
        if (pos == 0 && sp < cap) unchecked(stack[sp++] = pc + 1);
      } else if (o == OP_END) {
        if (pos == len && sp < cap) unchecked(stack[sp++] = pc + 1);
      }
    }
    return size;
  }
}
