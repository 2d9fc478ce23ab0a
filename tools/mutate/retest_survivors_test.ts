import { join } from "node:path";
import { assertEquals } from "../../tests/assert.ts";
import { dropSurvivors, onlyMutants, withoutSurvivors } from "./retest_survivors.ts";

const mutant = (id: string, status: string) => ({ id, status, mutatorName: "BooleanLiteral" });

const REPORT = {
  schemaVersion: "2",
  files: {
    "a.ts": {
      source: "a",
      mutants: [mutant("1", "Killed"), mutant("2", "Survived"), mutant("3", "Timeout")],
    },
    "b.ts": { source: "b", mutants: [mutant("4", "NoCoverage"), mutant("5", "CompileError")] },
  },
};

Deno.test("withoutSurvivors keeps every verdict but Survived and NoCoverage, and the rest of the report", () => {
  assertEquals(withoutSurvivors(REPORT), {
    schemaVersion: "2",
    files: {
      "a.ts": { source: "a", mutants: [mutant("1", "Killed"), mutant("3", "Timeout")] },
      "b.ts": { source: "b", mutants: [mutant("5", "CompileError")] },
    },
  });
  assertEquals(REPORT.files["a.ts"].mutants.length, 3);
});

Deno.test("dropSurvivors rewrites the incremental file, and says when there is none", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "area.json");
    assertEquals(await dropSurvivors(path), false);
    await Deno.writeTextFile(path, JSON.stringify(REPORT));
    assertEquals(await dropSurvivors(path), true);
    assertEquals(JSON.parse(await Deno.readTextFile(path)), withoutSurvivors(REPORT));
    await Deno.writeTextFile(path, JSON.stringify(REPORT));
    assertEquals(await dropSurvivors(path, new Set(["4"])), true);
    assertEquals(
      JSON.parse(await Deno.readTextFile(path)),
      withoutSurvivors(REPORT, new Set(["4"])),
      "a sample's",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withoutSurvivors with a sample drops only the sample's survivors", () => {
  assertEquals(withoutSurvivors(REPORT, new Set(["1", "4"])), {
    schemaVersion: "2",
    files: {
      "a.ts": {
        source: "a",
        mutants: [mutant("1", "Killed"), mutant("2", "Survived"), mutant("3", "Timeout")],
      },
      "b.ts": { source: "b", mutants: [mutant("5", "CompileError")] },
    },
  });
});

Deno.test("onlyMutants keeps the verdicts of the mutants named and nothing else of the files", () => {
  const report = {
    schemaVersion: "2",
    files: {
      "a.ts": { language: "ts", mutants: [{ id: "1", status: "Killed" }, { id: "2", status: "Survived" }] },
      "b.ts": { language: "ts", mutants: [{ id: "3", status: "Survived" }] },
    },
  };
  assertEquals(onlyMutants(report, new Set(["2"])), {
    schemaVersion: "2",
    files: {
      "a.ts": { language: "ts", mutants: [{ id: "2", status: "Survived" }] },
      "b.ts": { language: "ts", mutants: [] },
    },
  });
});
