/**
 * The reference Pike VM for regex programs (docs/regex.md), in TypeScript: tests hold the filter's
 * VM (`filter/assembly/core/regex.ts`) to it. It checks programs exactly as the filter's
 * `Program.decode` does, with the same reasons. Not used to serve requests.
 *
 * @module
 */
import { FLAG_BIT0, INSTRUCTION_SIZE, OP, REGEX_LIMITS } from "./compile_regex.ts";

interface Decoded {
  op: Uint8Array;
  flags: Uint8Array;
  a: Uint16Array;
  b: Uint32Array;
  count: number;
}

function decode(program: Uint8Array): Decoded | string {
  if (program.length % INSTRUCTION_SIZE !== 0) return "length is not a multiple of 8";
  const count = program.length / INSTRUCTION_SIZE;
  if (count === 0) return "empty program";
  if (count > REGEX_LIMITS.instructions) return `more than ${REGEX_LIMITS.instructions} instructions`;
  const view = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const d: Decoded = {
    op: new Uint8Array(count),
    flags: new Uint8Array(count),
    a: new Uint16Array(count),
    b: new Uint32Array(count),
    count,
  };
  for (let pc = 0; pc < count; pc++) {
    d.op[pc] = view.getUint8(pc * 8);
    d.flags[pc] = view.getUint8(pc * 8 + 1);
    d.a[pc] = view.getUint16(pc * 8 + 2, true);
    d.b[pc] = view.getUint32(pc * 8 + 4, true);
  }
  return d;
}

/** Why `program` is not a valid program, or null when it is valid. */
export function validateProgram(program: Uint8Array): string | null {
  const d = decode(program);
  if (typeof d === "string") return d;
  return check(d);
}

function check({ op, flags, a, b, count }: Decoded): string | null {
  // 1. Instructions in order: fields, fall-through, class ranges (which are data, not instructions).
  const start = new Uint8Array(count);
  for (let pc = 0; pc < count;) {
    start[pc] = 1;
    const o = op[pc], f = flags[pc];
    if (o === OP.CHAR || o === OP.ANY || o === OP.CLASS) {
      if ((f & ~FLAG_BIT0) !== 0) return `${pc}: unknown flags`;
    } else if (f !== 0) {
      return `${pc}: unknown flags`;
    }
    if (o !== OP.CLASS && a[pc] !== 0) return `${pc}: nonzero a`;
    switch (o) {
      case OP.CHAR:
        if (b[pc] > 0xffff) return `${pc}: CHAR above 0xFFFF`;
        break;
      case OP.ANY:
      case OP.MATCH:
      case OP.BEGIN:
      case OP.END:
        if (b[pc] !== 0) return `${pc}: nonzero b`;
        break;
      case OP.CLASS: {
        if (b[pc] !== 0) return `${pc}: nonzero b`;
        const n = a[pc];
        if (pc + 1 + n >= count) return `${pc}: CLASS runs off the end`;
        for (let r = pc + 1; r <= pc + n; r++) {
          if (op[r] !== OP.RANGE || flags[r] !== 0) return `${r}: not a RANGE`;
          if (b[r] > 0xffff || a[r] > b[r]) return `${r}: bad RANGE`;
        }
        pc += 1 + n;
        continue;
      }
      case OP.SPLIT:
      case OP.JMP:
        if (b[pc] >= count) return `${pc}: target out of range`;
        break;
      default:
        return `${pc}: unknown op ${o}`;
    }
    if (o !== OP.JMP && o !== OP.MATCH && pc + 1 >= count) return `${pc}: runs off the end`;
    pc++;
  }
  // 2. Jumps land on instructions, never inside a class's ranges.
  for (let pc = 0; pc < count; pc++) {
    if (start[pc] && (op[pc] === OP.SPLIT || op[pc] === OP.JMP) && !start[b[pc]]) {
      return `${pc}: target inside a class`;
    }
  }
  // 3. A MATCH is reachable from instruction 0.
  const seen = new Uint8Array(count);
  const stack = [0];
  seen[0] = 1;
  while (stack.length) {
    const pc = stack.pop()!;
    const o = op[pc];
    if (o === OP.MATCH) return null;
    const next: number[] = [];
    if (o === OP.JMP) next.push(b[pc]);
    else if (o === OP.SPLIT) next.push(pc + 1, b[pc]);
    else if (o === OP.CLASS) next.push(pc + 1 + a[pc]);
    else next.push(pc + 1);
    for (const t of next) {
      if (!seen[t]) {
        seen[t] = 1;
        stack.push(t);
      }
    }
  }
  return "no MATCH is reachable";
}

const fold = (c: number) => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/**
 * Whether the whole of `input` (UTF-16 code units) matches `program`: a Pike VM, O(input ×
 * program). Throws a RangeError for an invalid program.
 */
export function matchProgram(program: Uint8Array, input: string): boolean {
  const d = decode(program);
  const problem = typeof d === "string" ? d : check(d);
  if (problem !== null || typeof d === "string") throw new RangeError(`invalid regex program: ${problem}`);
  const { op, flags, a, b, count } = d;
  const len = input.length;

  // A thread list: a sparse set of pcs, in insertion order.
  const lists = [0, 1].map(() => ({ dense: new Int32Array(count), sparse: new Int32Array(count), size: 0 }));
  const stack = new Int32Array(2 * count + 1);
  const add = (list: typeof lists[0], pc0: number, pos: number) => {
    let sp = 0;
    stack[sp++] = pc0;
    while (sp > 0) {
      const pc = stack[--sp];
      const at = list.sparse[pc];
      if (at < list.size && list.dense[at] === pc) continue;
      list.sparse[pc] = list.size;
      list.dense[list.size++] = pc;
      switch (op[pc]) {
        case OP.JMP:
          stack[sp++] = b[pc];
          break;
        case OP.SPLIT:
          stack[sp++] = b[pc];
          stack[sp++] = pc + 1;
          break;
        case OP.BEGIN:
          if (pos === 0) stack[sp++] = pc + 1;
          break;
        case OP.END:
          if (pos === len) stack[sp++] = pc + 1;
          break;
      }
    }
  };

  let [cur, next] = lists;
  add(cur, 0, 0);
  for (let i = 0; i < len; i++) {
    if (cur.size === 0) return false;
    const c = input.charCodeAt(i);
    next.size = 0;
    for (let t = 0; t < cur.size; t++) {
      const pc = cur.dense[t];
      switch (op[pc]) {
        case OP.CHAR:
          if (flags[pc] & FLAG_BIT0 ? fold(c) === fold(b[pc]) : c === b[pc]) add(next, pc + 1, i + 1);
          break;
        case OP.ANY:
          if (c !== 0x0a || flags[pc] & FLAG_BIT0) add(next, pc + 1, i + 1);
          break;
        case OP.CLASS: {
          let inside = false;
          for (let r = pc + 1; r <= pc + a[pc] && !inside; r++) inside = a[r] <= c && c <= b[r];
          if (inside !== Boolean(flags[pc] & FLAG_BIT0)) add(next, pc + 1 + a[pc], i + 1);
          break;
        }
      }
    }
    [cur, next] = [next, cur];
  }
  for (let t = 0; t < cur.size; t++) if (op[cur.dense[t]] === OP.MATCH) return true;
  return false;
}

const NAMES = ["RANGE", "CHAR", "ANY", "CLASS", "SPLIT", "JMP", "MATCH", "BEGIN", "END"];

function unit(c: number): string {
  return c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `\\u${c.toString(16).padStart(4, "0")}`;
}

/** One line per instruction, for debugging and docs: `3 CLASS^ 2 ['0'-'9' 'a'-'f']`. */
export function disassemble(program: Uint8Array): string[] {
  const d = decode(program);
  if (typeof d === "string") return [`invalid: ${d}`];
  const lines: string[] = [];
  for (let pc = 0; pc < d.count; pc++) {
    const o = d.op[pc], name = NAMES[o] ?? `OP${o}`, f = d.flags[pc] & FLAG_BIT0;
    switch (o) {
      case OP.CHAR:
        lines.push(`${pc} CHAR ${unit(d.b[pc])}${f ? " (?i)" : ""}`);
        break;
      case OP.ANY:
        lines.push(`${pc} ANY${f ? " (?s)" : ""}`);
        break;
      case OP.CLASS: {
        const ranges: string[] = [];
        for (let r = pc + 1; r <= pc + d.a[pc] && r < d.count; r++) {
          ranges.push(d.a[r] === d.b[r] ? unit(d.a[r]) : `${unit(d.a[r])}-${unit(d.b[r])}`);
        }
        lines.push(`${pc} CLASS${f ? "^" : ""} [${ranges.join(" ")}]`);
        pc += d.a[pc];
        break;
      }
      case OP.SPLIT:
      case OP.JMP:
        lines.push(`${pc} ${name} ${d.b[pc]}`);
        break;
      default:
        lines.push(`${pc} ${name}`);
    }
  }
  return lines;
}
