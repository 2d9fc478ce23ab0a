/**
 * The filter's regex VM (filter/assembly/core/regex.ts), compiled with the filter's flags into a
 * small test module (testdata/regex_entry.ts), held to the TypeScript reference VM: the same case
 * table and generated corpus, hostile patterns in linear time, and 10,000 random or corrupted
 * programs that must be refused (or run) without a trap.
 */
import { instantiateTestModule } from "../../compile_assemblyscript.ts";
import { assert, assertEquals } from "../../../tests/assert.ts";
import { compileRegex, INSTRUCTION_SIZE, OP } from "../../../policy-server/regex/compile_regex.ts";
import { matchProgram, validateProgram } from "../../../policy-server/regex/match_program.ts";
import { CASES, corpus, prng } from "../../../tests/regex_cases.ts";

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  alloc(size: number): number;
  free(ptr: number): void;
  load_program(ptr: number, len: number): number;
  match(ptr: number, len: number): number;
  match_no_alloc(ptr: number, len: number): number;
  probe_self_test(): number;
  run(progPtr: number, progLen: number, strPtr: number, strLen: number): number;
  error_length(): number;
  error_text(ptr: number): void;
}

/** The AS VM behind a small API. A trap surfaces as a WebAssembly.RuntimeError. */
class AsVm {
  private constructor(private readonly x: Exports) {}

  static async create(): Promise<AsVm> {
    return new AsVm(
      await instantiateTestModule<Exports>("filter/assembly/core/testdata/regex_entry", {
        cacheName: "wasmroute-regex-entry",
        sources: ["filter/assembly/core/regex.ts", "filter/assembly/abi/heap.ts"],
      }),
    );
  }

  private put(bytes: Uint8Array): number {
    const ptr = this.x.alloc(Math.max(bytes.length, 1));
    new Uint8Array(this.x.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  }

  private putString(s: string): number {
    const ptr = this.x.alloc(Math.max(s.length * 2, 2));
    const view = new DataView(this.x.memory.buffer);
    for (let i = 0; i < s.length; i++) view.setUint16(ptr + 2 * i, s.charCodeAt(i), true);
    return ptr;
  }

  /** Decodes and keeps a program: true, or false when the VM refuses it. */
  load(program: Uint8Array): boolean {
    const ptr = this.put(program);
    try {
      return this.x.load_program(ptr, program.length) === 1;
    } finally {
      this.x.free(ptr);
    }
  }

  /** load_program on raw pointer arguments (for pointers outside memory). */
  loadAt(ptr: number, len: number): number {
    return this.x.load_program(ptr, len);
  }

  /** Full match of the kept program. */
  match(input: string): boolean {
    const ptr = this.putString(input);
    try {
      const r = this.x.match(ptr, input.length);
      if (r < 0) throw new Error("no program loaded");
      return r === 1;
    } finally {
      this.x.free(ptr);
    }
  }

  /** A matcher of `input` written once into the module's memory, for timing the VM alone. */
  prepared(input: string): { match(): boolean; free(): void } {
    const ptr = this.putString(input);
    return {
      match: () => this.x.match(ptr, input.length) === 1,
      free: () => this.x.free(ptr),
    };
  }

  /** match_no_alloc: 1/0, or -2 when fullMatch allocated. */
  matchNoAlloc(input: string): number {
    const ptr = this.putString(input);
    try {
      return this.x.match_no_alloc(ptr, input.length);
    } finally {
      this.x.free(ptr);
    }
  }

  probeSelfTest(): number {
    return this.x.probe_self_test();
  }

  /** `run`: 1/0, or -1 for an invalid program. */
  run(program: Uint8Array, input: string): number {
    const p = this.put(program), s = this.putString(input);
    try {
      return this.x.run(p, program.length, s, input.length);
    } finally {
      this.x.free(p);
      this.x.free(s);
    }
  }

  /** Why the last program was refused. */
  error(): string {
    const n = this.x.error_length();
    const ptr = this.x.alloc(Math.max(2 * n, 2));
    this.x.error_text(ptr);
    const units = new Uint16Array(this.x.memory.buffer.slice(ptr, ptr + 2 * n));
    this.x.free(ptr);
    return String.fromCharCode(...units);
  }

  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }
}

const vm = await AsVm.create();
const show = (s: string) => JSON.stringify(s.length > 40 ? s.slice(0, 40) + "…" : s);

Deno.test("the filter's VM answers the case table as the reference does", () => {
  const wrong: string[] = [];
  for (const [pattern, input, expected] of CASES) {
    const program = compileRegex(pattern);
    assert(vm.load(program), `${pattern}: refused: ${vm.error()}`);
    const got = vm.match(input);
    if (got !== expected || matchProgram(program, input) !== expected) {
      wrong.push(`${show(pattern)} on ${show(input)}: want ${expected}, AS ${got}`);
    }
  }
  assertEquals(wrong, []);
});

Deno.test("the filter's VM agrees with the reference on the generated corpus", () => {
  const wrong: string[] = [];
  let runs = 0;
  for (const { pattern, oracle, inputs } of corpus(20240601, 3000)) {
    const program = compileRegex(pattern);
    assert(vm.load(program), `${pattern}: refused: ${vm.error()}`);
    for (const input of inputs) {
      runs++;
      const want = matchProgram(program, input);
      const got = vm.match(input);
      if (got !== want || want !== oracle.test(input)) {
        wrong.push(
          `${show(pattern)} on ${show(input)}: reference ${want}, AS ${got}, JS ${oracle.test(input)}`,
        );
      }
    }
  }
  assertEquals(wrong.slice(0, 20), []);
  assert(runs >= 18000);
});

Deno.test("the filter's VM runs hostile patterns in linear time", () => {
  const time = (input: string) => {
    const m = vm.prepared(input);
    let best = Infinity;
    let result = false;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      result = m.match();
      best = Math.min(best, performance.now() - t0);
    }
    m.free();
    return { ms: best, result };
  };
  const hostile: [pattern: string, unit: string, tail: string, matches: boolean][] = [
    ["(a*)*b", "a", "", false],
    ["(a|a)*c", "a", "", false],
    ["(a+)+$", "a", "!", false],
    ["(a+)+$", "a", "", true],
    ["(x+x+)+y", "x", "", false],
    ["(.*a){20}", "a", "b", false],
    ["(a|aa|aaa)*(b|aa)*c", "a", "", false],
    ["(?i)(a?){30}a{30}", "a", "", false],
  ];
  const report: string[] = [];
  for (const [pattern, unit, tail, matches] of hostile) {
    assert(vm.load(compileRegex(pattern)), pattern);
    const small = time(unit.repeat(8 * 1024) + tail);
    const large = time(unit.repeat(64 * 1024) + tail);
    assertEquals(small.result, matches, pattern);
    assertEquals(large.result, matches, pattern);
    report.push(`${pattern}: 8 KiB ${small.ms.toFixed(2)} ms, 64 KiB ${large.ms.toFixed(2)} ms`);
    if (Deno.env.get("REGEX_TIMES")) console.log(report.at(-1));
    assert(large.ms < 2000, `${pattern}: ${report.at(-1)}`);
    // Linear: eight times the input, about eight times the time. The bound leaves room for timer
    // and cache noise; a quadratic engine would take 64 times, a backtracking one forever.
    assert(large.ms < 16 * small.ms + 2, `${pattern} is not linear: ${report.at(-1)}`);
  }
});

Deno.test("matching allocates nothing per call", () => {
  assertEquals(vm.probeSelfTest(), -2); // the probe notices an allocation
  for (const [pattern, input, expected] of CASES) {
    assert(vm.load(compileRegex(pattern)));
    assertEquals(vm.matchNoAlloc(input), expected ? 1 : 0, pattern);
  }
  assert(vm.load(compileRegex("(a|b)*c[0-9]+")));
  const input = "ab".repeat(4096) + "c123";
  const before = vm.memoryBytes;
  for (let k = 0; k < 200; k++) assertEquals(vm.matchNoAlloc(input), 1);
  assertEquals(vm.memoryBytes, before);
});

/** A random instruction, biased toward plausible ones. */
function randomInstruction(rng: () => number, count: number): number[] {
  const op = rng() < 0.9 ? Math.floor(rng() * 9) : Math.floor(rng() * 256);
  const flags = rng() < 0.8 ? Math.floor(rng() * 2) : Math.floor(rng() * 256);
  const a = rng() < 0.7 ? Math.floor(rng() * 4) : Math.floor(rng() * 65536);
  const b = rng() < 0.6
    ? Math.floor(rng() * (count + 2))
    : rng() < 0.5
    ? Math.floor(rng() * 65536)
    : Math.floor(rng() * 2 ** 32);
  return [op, flags, a & 0xff, a >> 8, b & 0xff, (b >>> 8) & 0xff, (b >>> 16) & 0xff, b >>> 24];
}

Deno.test("Program.decode never traps on 10,000 random or corrupted programs", () => {
  const rng = prng(7);
  const seeds = CASES.map(([p]) => compileRegex(p));
  const inputs = ["", "a", "ab", "abc", "aaaa", "Zz09", "a\nb", "-./_", "中文😀"];
  let valid = 0;
  for (let n = 0; n < 10_000; n++) {
    let program: Uint8Array;
    const kind = rng();
    if (kind < 0.3) {
      // random instructions
      const count = 1 + Math.floor(rng() * 12);
      program = new Uint8Array(Array.from({ length: count }, () => randomInstruction(rng, count)).flat());
    } else if (kind < 0.4) {
      // random bytes, any length
      program = new Uint8Array(Math.floor(rng() * 40)).map(() => Math.floor(rng() * 256));
    } else if (kind < 0.65) {
      // a compiled program with its meaning changed but (mostly) still valid: other characters,
      // flags, targets, assertions
      program = seeds[Math.floor(rng() * seeds.length)].slice();
      const view = new DataView(program.buffer);
      const count = program.length / 8;
      for (let e = 0; e < 3; e++) {
        const pc = Math.floor(rng() * count), op = program[pc * 8];
        if (op === OP.CHAR) view.setUint32(pc * 8 + 4, Math.floor(rng() * 128), true);
        if (op === OP.CHAR || op === OP.ANY || op === OP.CLASS) program[pc * 8 + 1] ^= 1;
        if (op === OP.SPLIT || op === OP.JMP) view.setUint32(pc * 8 + 4, Math.floor(rng() * count), true);
        if (op === OP.BEGIN || op === OP.END) program[pc * 8] = rng() < 0.5 ? OP.BEGIN : OP.END;
        if (op === OP.RANGE) {
          view.setUint16(
            pc * 8 + 2,
            Math.min(view.getUint32(pc * 8 + 4, true), Math.floor(rng() * 128)),
            true,
          );
        }
      }
    } else {
      // a compiled program with a few bytes flipped, an instruction replaced, or cut short
      program = seeds[Math.floor(rng() * seeds.length)].slice();
      const edits = 1 + Math.floor(rng() * 3);
      for (let e = 0; e < edits; e++) {
        const r = rng();
        const at = Math.floor(rng() * program.length);
        if (r < 0.5) program[at] ^= 1 << Math.floor(rng() * 8);
        else if (r < 0.8) {
          const slot = Math.floor(at / INSTRUCTION_SIZE) * INSTRUCTION_SIZE;
          program.set(
            randomInstruction(rng, program.length / 8).slice(0, Math.min(8, program.length - slot)),
            slot,
          );
        } else program = program.slice(0, Math.floor(rng() * program.length));
      }
    }
    const input = inputs[Math.floor(rng() * inputs.length)];
    const reason = validateProgram(program);
    let got: number;
    try {
      got = vm.run(program, input);
    } catch (e) {
      throw new Error(`trap on program ${[...program]} with ${show(input)}: ${e}`);
    }
    if (reason !== null) {
      assertEquals(got, -1, `the reference refuses (${reason}) but the filter took ${[...program]}`);
      assertEquals(vm.error().replace(/^\d+: /, ""), reason.replace(/^\d+: /, ""));
    } else {
      valid++;
      assertEquals(got, matchProgram(program, input) ? 1 : 0, `program ${[...program]} on ${show(input)}`);
    }
  }
  assert(valid > 1500 && valid < 8500, `${valid} of 10000 fuzzed programs were valid`);
});

Deno.test("Program.decode refuses programs outside memory and over the size limit", () => {
  assertEquals(vm.loadAt(0xfffffff0, 16), -1);
  assertEquals(vm.error(), "program outside memory");
  assertEquals(vm.loadAt(vm.memoryBytes - 8, 16), -1);
  const big = new Uint8Array(2049 * 8);
  for (let pc = 0; pc < 2049; pc++) big[pc * 8] = OP.MATCH;
  assertEquals(vm.load(big), false);
  assertEquals(vm.error(), "more than 2048 instructions");
  assertEquals(vm.load(big.subarray(0, 2048 * 8)), true);
});

Deno.test("Program.decode names the refused instruction, the first as 0, and a program-wide refusal none", () => {
  const instruction = (op: number, flags: number, a: number, b: number) => {
    const bytes = new Uint8Array(INSTRUCTION_SIZE), view = new DataView(bytes.buffer);
    bytes[0] = op;
    bytes[1] = flags;
    view.setUint16(2, a, true);
    view.setUint32(4, b, true);
    return bytes;
  };
  const program = (...instructions: Uint8Array[]) => {
    const out = new Uint8Array(instructions.length * INSTRUCTION_SIZE);
    instructions.forEach((ins, pc) => out.set(ins, pc * INSTRUCTION_SIZE));
    return out;
  };
  const match = instruction(OP.MATCH, 0, 0, 0);
  assertEquals(vm.load(program(instruction(OP.MATCH, 4, 0, 0), match)), false);
  assertEquals(vm.error(), "0: unknown flags");
  assertEquals(vm.load(program(match, instruction(OP.ANY, 0, 0, 1))), false);
  assertEquals(vm.error(), "1: nonzero b");
  assertEquals(vm.load(program(instruction(OP.JMP, 0, 0, 0))), false);
  assertEquals(vm.error(), "no MATCH is reachable");
  // CHAR holds one UTF-16 unit: 0xFFFF is the last there is.
  assertEquals(vm.load(program(instruction(OP.CHAR, 0, 0, 0xffff), match)), true);
  assertEquals([vm.match("\uffff"), vm.match("\ufffe"), vm.match("")], [true, false, false]);
  assertEquals(vm.load(program(instruction(OP.CHAR, 0, 0, 0x10000), match)), false);
  assertEquals(vm.error(), "0: CHAR above 0xFFFF");
});
