import { assertEquals } from "../../tests/assert.ts";
import { type Equivalent, equivalentReason, type Result, score } from "./score.ts";

function result(id: string, status: string, over: Partial<Result> = {}): Result {
  return {
    id,
    status,
    file: "policy-server/a.ts",
    mutatorName: "EqualityOperator",
    replacement: "a >= b",
    line: 3,
    sourceLine: "  return a > b;",
    ...over,
  };
}

const EQUIVALENT: Equivalent = {
  file: "policy-server/a.ts",
  mutator: "EqualityOperator",
  replacement: "a >= b",
  line: "return a > b",
  reason: "a never equals b here",
};

Deno.test("score() counts killed and timed-out mutants against survivors and uncovered ones", () => {
  const s = score(
    [result("1", "Killed"), result("2", "Timeout"), result("3", "Survived"), result("4", "NoCoverage")],
    [],
    new Set(),
  );
  assertEquals([s.killed, s.survived, s.score], [2, 2, 50]);
  assertEquals(s.survivors.map((r) => r.id), ["3", "4"]);
});

Deno.test("score() leaves out the mutants the config marks equivalent", () => {
  const s = score(
    [result("1", "Killed", { replacement: "a < b" }), result("2", "Survived")],
    [EQUIVALENT],
    new Set(),
  );
  assertEquals([s.killed, s.survived, s.equivalent, s.score], [1, 0, 1, 100]);
});

Deno.test("score() leaves out mutants the compiler refused, though the command runner calls them killed", () => {
  const s = score([result("1", "Killed"), result("2", "Killed", { replacement: "x" })], [], new Set(["2"]));
  assertEquals([s.killed, s.compileErrors, s.score], [1, 1, 100]);
});

Deno.test("score() is null when no mutant counts", () => {
  assertEquals(score([], [], new Set()).score, null);
});

Deno.test("equivalentReason() needs file, mutator, replacement and the line to match", () => {
  assertEquals(equivalentReason(result("1", "Survived"), [EQUIVALENT]), "a never equals b here");
  for (
    const other of [
      { file: "policy-server/b.ts" },
      { mutatorName: "ConditionalExpression" },
      { replacement: "a <= b" },
      { sourceLine: "  return b > a;" },
    ]
  ) {
    assertEquals(
      equivalentReason(result("1", "Survived", other), [EQUIVALENT]),
      undefined,
      JSON.stringify(other),
    );
  }
});

Deno.test("equivalentReason() with `original` matches only the mutant of that exact code on the line", () => {
  const line = "  const omitPort = toPort == 0 || toPort == wellKnownPort(toScheme);";
  const e: Equivalent = {
    file: "policy-server/a.ts",
    mutator: "ConditionalExpression",
    replacement: "false",
    line: "const omitPort = toPort == 0 ||",
    original: "toPort == 0",
    reason: "the port is never 0",
  };
  const at = (original: string) =>
    result("1", "Survived", {
      mutatorName: "ConditionalExpression",
      replacement: "false",
      sourceLine: line,
      original,
    });
  assertEquals(equivalentReason(at("toPort == 0"), [e]), "the port is never 0");
  assertEquals(equivalentReason(at("toPort == 0 || toPort == wellKnownPort(toScheme)"), [e]), undefined);
  assertEquals(equivalentReason(at("toPort == wellKnownPort(toScheme)"), [e]), undefined);
});

Deno.test("score() of a sampled run counts only the sample, and gives the score's 95 % interval", () => {
  const results = [
    result("1", "Killed"),
    result("2", "Survived"),
    result("3", "Survived"),
    result("4", "Killed", { replacement: "x" }),
    result("5", "Killed", { replacement: "y" }),
  ];
  const s = score(results, [], new Set(), new Set(["1", "2", "4", "5"]));
  assertEquals([s.killed, s.survived, s.unsampled, s.score], [3, 1, 1, 75]);
  assertEquals(s.interval, [30.1, 95.4]);
  assertEquals(score(results, [], new Set()).unsampled, undefined, "a full run has no sample");
});
