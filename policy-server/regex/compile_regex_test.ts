import { assert, assertEquals } from "../../tests/assert.ts";
import { compileRegex, OP, REGEX_LIMITS, RegexSyntaxError, tryCompileRegex } from "./compile_regex.ts";
import { disassemble, validateProgram } from "./match_program.ts";

/** The error a pattern is refused with, as "<reason> at <position>", or "ok". */
function outcome(pattern: string): string {
  const r = tryCompileRegex(pattern);
  if ("program" in r) return "ok";
  assert(r.error instanceof RegexSyntaxError && r.error instanceof SyntaxError);
  assertEquals(r.error.message, `${r.error.reason} at ${r.error.position}`);
  return r.error.message;
}

Deno.test("compileRegex() accepts the RE2 syntax routing uses", () => {
  const valid = [
    "",
    "abc",
    "/api/v[0-9]+/.*",
    "\\.\\/\\\\\\-\\_\\ \\!\\#\\&\\~\\<\\>\\=\\@\\%\\,\\;\\:\\'\\\"\\`",
    "\\t\\n\\r\\f\\v\\a\\0\\012\\101",
    "\\x41\\x{41}\\x{10FFFF}",
    "\\d\\D\\s\\S\\w\\W",
    "[a-z][^a-z][]a][^]a][a-][-a][\\d\\s_.-][\\x00-\\x{FFFF}][\\^\\]\\\\]",
    "[[:alpha:][:^digit:][:word:]]",
    "[[:foo]", // no ':]': '[' and others in a class
    "^a$",
    "\\Aa\\z",
    "(a)(?:b)(?P<n1>c)(?<n2>d)",
    "(?i)abc",
    "(?i:a)b",
    "(?s).",
    "(?is-m:x)",
    "(?U)a+",
    "(?-i)a",
    "a|b|",
    "|",
    "()",
    "a*b+c?d{2}e{2,}f{2,5}g{0}h{0,0}",
    "a*?b+?c??d{2}?e{2,}?f{2,5}?",
    "a{,5}", // literal, as in RE2
    "a{",
    "a{x}",
    "{}",
    "x{1000}",
    "a]b}c",
    "\\Qa.b*\\E+",
    "\\Q(unclosed",
    "^*",
    "(a*)*",
    "😀+",
    "中文",
  ];
  for (const p of valid) {
    assertEquals(outcome(p), "ok", p);
    assertEquals(validateProgram(compileRegex(p)), null, p);
  }
});

Deno.test("compileRegex() refuses bad and unsupported syntax, saying what and where", () => {
  const cases: [string, string][] = [
    ["abc(?=d)", "Unsupported lookahead (?= at 3"],
    ["(?!a)", "Unsupported negative lookahead (?! at 0"],
    ["a(?<=b)", "Unsupported lookbehind (?<= at 1"],
    ["a(?<!b)", "Unsupported negative lookbehind (?<! at 1"],
    ["(a)\\1", "Unsupported backreference \\1 at 3"],
    ["(a)\\9", "Unsupported backreference \\9 at 3"],
    ["(?P<n>a)(?P=n)", "Unsupported backreference (?P= at 8"],
    ["\\k<n>", "Unsupported backreference \\k at 0"],
    ["(?>a)", "Unsupported atomic group (?> at 0"],
    ["(?#note)", "Unsupported comment (?# at 0"],
    ["a*+", "Unsupported possessive quantifier *+ at 2"],
    ["a{2}+", "Unsupported possessive quantifier {2}+ at 4"],
    ["a**", "Bad repetition operator ** at 2"],
    ["a*??", "Bad repetition operator *?? at 3"],
    ["a{2}{3}", "Bad repetition operator {2}{3} at 4"],
    ["*a", "Missing argument to repetition operator * at 0"],
    ["a|+", "Missing argument to repetition operator + at 2"],
    ["(?)", "Missing flags in (? at 0"],
    ["(?i)*", "Missing argument to repetition operator * at 4"],
    ["(*)", "Missing argument to repetition operator * at 1"],
    ["\\bword\\b", "Unsupported word boundary \\b at 0"],
    ["\\B", "Unsupported word boundary \\B at 0"],
    ["\\pL", "Unsupported Unicode class \\p at 0"],
    ["\\p{Greek}", "Unsupported Unicode class \\p at 0"],
    ["\\PL", "Unsupported Unicode class \\P at 0"],
    ["\\C", "Unsupported \\C (any byte) at 0"],
    ["\\Z", "Invalid escape \\Z at 0"],
    ["\\q", "Invalid escape \\q at 0"],
    ["\\E", "Invalid escape \\E at 0"],
    ["\\é", "Invalid escape \\é at 0"],
    ["ab\\", "Trailing backslash at 2"],
    ["\\x4", "Invalid escape \\x (want \\xHH) at 0"],
    ["\\xZZ", "Invalid escape \\x (want \\xHH) at 0"],
    ["\\x{110000}", "Invalid escape \\x{...} at 0"],
    ["\\x{}", "Invalid escape \\x{...} at 0"],
    ["\\x{41", "Invalid escape \\x{...} at 0"],
    ["(?m)^a$", "Unsupported flag m (multi-line ^ and $) at 2"],
    ["(?x)a", "Invalid or unsupported group syntax (?x at 0"],
    ["(?i-)a", "Missing flag after - in (? at 0"],
    ["(?i--s)a", "Invalid flags: second - at 4"],
    ["(?i", "Missing ) at 3"],
    ["(?P<>a)", "Invalid capture group name at 0"],
    ["(?P<a-b>a)", "Invalid capture group name at 0"],
    ["(?<n>a)(?<n>b)", "Duplicate capture group name n at 7"],
    ["(abc", "Missing ) at 4"],
    ["((a)|b", "Missing ) at 6"],
    ["abc(def", "Missing ) at 7"],
    ["abc)", "Unmatched ) at 3"],
    ["a)b(", "Unmatched ) at 1"],
    ["[abc", "Missing ] at 4"],
    ["[]", "Missing ] at 2"],
    ["[^]", "Missing ] at 3"],
    ["[z-a]", "Invalid class range z-a at 1"],
    ["[a-\\d]", "Invalid class range: a class cannot end a range at 3"],
    ["[[:foo:]]", "Invalid POSIX class [:foo:] at 1"],
    ["[\\b]", "Unsupported word boundary \\b at 1"],
    ["[\\A]", "Invalid escape \\A in a class at 1"],
    ["[\\Qa\\E]", "Invalid escape \\Q in a class at 1"],
    ["[😀]", "Characters above U+FFFF in a class are not supported at 1"],
    ["[\\x{1F600}]", "Characters above U+FFFF in a class are not supported at 1"],
  ];
  const wrong = cases.filter(([p, want]) => outcome(p) !== want).map(([p, want]) =>
    `${p}: got "${outcome(p)}", want "${want}"`
  );
  assertEquals(wrong, []);
});

Deno.test("compileRegex() enforces its limits and names them", () => {
  assertEquals(REGEX_LIMITS, { patternLength: 1024, repeatCount: 1000, instructions: 2048 });
  assertEquals(outcome("a".repeat(1024)), "ok");
  assertEquals(outcome("a".repeat(1025)), "Pattern of 1025 characters exceeds 1024 at 1024");
  assertEquals(outcome("a{5000}"), "Repetition count 5000 exceeds 1000 at 1");
  assertEquals(outcome("a{1,1001}"), "Repetition count 1001 exceeds 1000 at 1");
  assertEquals(
    outcome("a{99999999999999999999}"),
    "Repetition count 100000000000000000000 exceeds 1000 at 1",
  );
  assertEquals(outcome("a{5,3}"), "Bad repetition operator {5,3}: minimum exceeds maximum at 1");
  assertEquals(outcome("a{1000}"), "ok");
  // 2047 instructions and MATCH fit; one more does not.
  assertEquals(compileRegex("a{1000}a{1000}a{47}").length / 8, 2048);
  assertEquals(outcome("a{1000}a{1000}a{48}"), "Regex program exceeds 2048 instructions at 15");
  assertEquals(outcome("(ab{1000}){3}"), "Regex program exceeds 2048 instructions at 10");
  assertEquals(outcome("((a{1000}){1000}){1000}"), "Regex program exceeds 2048 instructions at 10");
  assertEquals(outcome("[0-9a-f]{1000}"), "Regex program exceeds 2048 instructions at 8");
  assertEquals(outcome("(a|b){1000}"), "Regex program exceeds 2048 instructions at 5");
  assertEquals(
    outcome("(?:x{600}|" + "y{500}|".repeat(3) + "z)"),
    "Regex program exceeds 2048 instructions at 25",
  );
  assert(compileRegex(".{1000}|.{1000}").length / 8 <= 2048);
});

Deno.test("compileRegex() emits the documented program shapes", () => {
  assertEquals(disassemble(compileRegex("a")), ["0 CHAR 'a'", "1 MATCH"]);
  assertEquals(disassemble(compileRegex("(?i)a1")), ["0 CHAR 'a' (?i)", "1 CHAR '1'", "2 MATCH"]);
  assertEquals(disassemble(compileRegex("(?s).")), ["0 ANY (?s)", "1 MATCH"]);
  assertEquals(disassemble(compileRegex("^$")), ["0 BEGIN", "1 END", "2 MATCH"]);
  assertEquals(disassemble(compileRegex("a*")), ["0 SPLIT 3", "1 CHAR 'a'", "2 JMP 0", "3 MATCH"]);
  assertEquals(disassemble(compileRegex("a+")), ["0 CHAR 'a'", "1 SPLIT 0", "2 MATCH"]);
  assertEquals(disassemble(compileRegex("a?")), ["0 SPLIT 2", "1 CHAR 'a'", "2 MATCH"]);
  assertEquals(disassemble(compileRegex("a{2,3}")), [
    "0 CHAR 'a'",
    "1 CHAR 'a'",
    "2 SPLIT 4",
    "3 CHAR 'a'",
    "4 MATCH",
  ]);
  assertEquals(disassemble(compileRegex("a{1,}")), ["0 CHAR 'a'", "1 SPLIT 0", "2 MATCH"]);
  assertEquals(disassemble(compileRegex("a|b|c")), [
    "0 SPLIT 3",
    "1 CHAR 'a'",
    "2 JMP 7",
    "3 SPLIT 6",
    "4 CHAR 'b'",
    "5 JMP 7",
    "6 CHAR 'c'",
    "7 MATCH",
  ]);
  assertEquals(disassemble(compileRegex("[^a-cx]")), ["0 CLASS^ ['a'-'c' 'x']", "3 MATCH"]);
  assertEquals(disassemble(compileRegex("(?i)[a-c]")), ["0 CLASS ['A'-'C' 'a'-'c']", "3 MATCH"]);
  assertEquals(disassemble(compileRegex("[x]")), ["0 CHAR 'x'", "1 MATCH"]);
  assertEquals(disassemble(compileRegex("[qQ]")), ["0 CHAR 'Q' (?i)", "1 MATCH"]);
  assertEquals(disassemble(compileRegex("\\x{1F600}")), ["0 CHAR \\ud83d", "1 CHAR \\ude00", "2 MATCH"]);
  // The binary layout: {u8 op, u8 flags, u16 a, u32 b}, little-endian.
  // deno-fmt-ignore
  assertEquals([...compileRegex("[^b-c]")], [
    OP.CLASS, 1, 1, 0, 0, 0, 0, 0,
    OP.RANGE, 0, 0x62, 0, 0x63, 0, 0, 0,
    OP.MATCH, 0, 0, 0, 0, 0, 0, 0,
  ]);
});
