import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { CASES, corpus } from "../../tests/regex_cases.ts";
import { compileRegex } from "./compile_regex.ts";
import { disassemble, matchProgram, validateProgram } from "./match_program.ts";

const show = (s: string) => JSON.stringify(s);

Deno.test("matchProgram() answers the case table", () => {
  const wrong: string[] = [];
  for (const [pattern, input, expected] of CASES) {
    if (matchProgram(compileRegex(pattern), input) !== expected) {
      wrong.push(
        `${show(pattern)} on ${show(input.length > 40 ? input.slice(0, 40) + "…" : input)}: want ${expected}`,
      );
    }
  }
  assertEquals(wrong, []);
});

Deno.test("matchProgram() agrees with a JavaScript RegExp on 3000 generated patterns", () => {
  const entries = corpus(20240601, 3000);
  const wrong: string[] = [];
  let matched = 0, total = 0;
  for (const { pattern, oracle, inputs } of entries) {
    const program = compileRegex(pattern);
    for (const input of inputs) {
      const want = oracle.test(input);
      total++;
      if (want) matched++;
      if (matchProgram(program, input) !== want) {
        wrong.push(`${show(pattern)} ${oracle} on ${show(input)}: want ${want}`);
      }
    }
  }
  assertEquals(wrong.slice(0, 20), []);
  // The corpus is only useful if both answers are common.
  assert(matched > total / 5 && matched < (total * 4) / 5, `${matched} of ${total} inputs match`);
});

Deno.test("validateProgram() accepts every compiled program and names what is wrong with others", () => {
  for (const [pattern] of CASES) assertEquals(validateProgram(compileRegex(pattern)), null);
  const ins = (
    op: number,
    flags: number,
    a: number,
    b: number,
  ) => [op, flags, a & 0xff, a >> 8, b & 0xff, (b >> 8) & 0xff, (b >> 16) & 0xff, b >>> 24];
  const prog = (...xs: number[][]) => new Uint8Array(xs.flat());
  const MATCH = ins(6, 0, 0, 0);
  const cases: [Uint8Array, string][] = [
    [new Uint8Array(0), "empty program"],
    [new Uint8Array(7), "multiple of 8"],
    [new Uint8Array(8 * 2049), "more than 2048"],
    [prog(ins(9, 0, 0, 0), MATCH), "unknown op 9"],
    [prog(ins(0, 0, 0, 0), MATCH), "unknown op 0"], // a RANGE outside a class
    [prog(ins(1, 2, 0, 97), MATCH), "unknown flags"],
    [prog(ins(4, 1, 0, 1), MATCH), "unknown flags"],
    [prog(ins(1, 0, 1, 97), MATCH), "nonzero a"],
    [prog(ins(1, 0, 0, 0x10000), MATCH), "CHAR above"],
    [prog(ins(2, 0, 0, 1), MATCH), "nonzero b"],
    [prog(ins(5, 0, 0, 2), MATCH), "target out of range"],
    [prog(ins(1, 0, 0, 97)), "runs off the end"],
    [prog(ins(3, 0, 1, 0), ins(0, 0, 97, 98)), "CLASS runs off the end"],
    [prog(ins(3, 0, 1, 0), ins(0, 0, 98, 97), MATCH), "bad RANGE"],
    [prog(ins(3, 0, 1, 0), ins(1, 0, 97, 98), MATCH), "not a RANGE"],
    [prog(ins(4, 0, 0, 2), ins(3, 0, 1, 0), ins(0, 0, 97, 98), MATCH), "target inside a class"],
    [prog(ins(5, 0, 0, 0), MATCH), "no MATCH is reachable"],
  ];
  for (const [program, reason] of cases) {
    const got = validateProgram(program);
    assert(got !== null && got.includes(reason), `want "${reason}", got ${got}`);
    assertThrows(() => matchProgram(program, ""), RangeError, "invalid regex program");
  }
  // A valid hand-made program with an unreachable tail is fine.
  assertEquals(validateProgram(prog(MATCH, ins(1, 0, 0, 97), MATCH)), null);
});

Deno.test("matchProgram() runs hostile patterns in linear time", () => {
  for (const [pattern, unit] of [["(a*)*b", "a"], ["(a|a)*c", "a"], ["(a+)+$", "a"], ["(x+x+)+y", "x"]]) {
    const program = compileRegex(pattern);
    const t0 = performance.now();
    assertEquals(matchProgram(program, unit.repeat(65536)), pattern === "(a+)+$");
    assertEquals(matchProgram(program, unit.repeat(65536) + "!"), false);
    const ms = performance.now() - t0;
    assert(ms < 2000, `${pattern}: ${ms} ms`);
  }
});

Deno.test("disassemble() shows a program, and says when it cannot", () => {
  assertEquals(disassemble(compileRegex("(?i)a[^0-9x]|.*")), [
    "0 SPLIT 7",
    "1 CHAR 'a' (?i)",
    "2 CLASS^ ['0'-'9' 'X' 'x']",
    "6 JMP 10",
    "7 SPLIT 10",
    "8 ANY",
    "9 JMP 7",
    "10 MATCH",
  ]);
  assertEquals(disassemble(new Uint8Array(3)), ["invalid: length is not a multiple of 8"]);
});
