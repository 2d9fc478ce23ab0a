import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import type { PlannedMutant } from "./config.ts";
import { parseSample, sampleGuard, sampleIds, wilsonInterval } from "./sample.ts";

function mutant(id: number, file = "a.ts"): PlannedMutant {
  return {
    id: String(id),
    fileName: `/repo/${file}`,
    mutatorName: "EqualityOperator",
    replacement: `a >= ${id}`,
    location: { start: { line: id, column: 2 }, end: { line: id, column: 8 } },
  };
}

const MUTANTS = Array.from({ length: 1000 }, (_, i) => mutant(i));

Deno.test("parseSample reads --sample and --seed, seed 1 by default, and refuses what is not a count", () => {
  assertEquals(parseSample(["filter", "--force"]), undefined);
  assertEquals(parseSample(["--sample=200", "--seed=7"]), { size: 200, seed: 7 });
  assertEquals(parseSample(["--sample=5"]), { size: 5, seed: 1 });
  for (
    const bad of [["--sample=0"], ["--sample=x"], ["--sample=2.5"], ["--sample=3", "--seed=-1"], ["--seed=3"]]
  ) {
    assertThrows(() => parseSample(bad), RangeError);
  }
});

Deno.test("sampleIds takes N mutants, the same for the same seed, wherever the repository is", () => {
  const a = sampleIds(MUTANTS, { size: 100, seed: 1 }, "/repo");
  assertEquals(a.size, 100);
  assertEquals(
    sampleIds([...MUTANTS].reverse(), { size: 100, seed: 1 }, "/repo"),
    a,
    "order does not matter",
  );
  const moved = MUTANTS.map((m) => ({ ...m, fileName: m.fileName.replace("/repo", "/sandbox") }));
  assertEquals(sampleIds(moved, { size: 100, seed: 1 }, "/sandbox"), a, "only the relative path counts");
  const b = sampleIds(MUTANTS, { size: 100, seed: 2 }, "/repo");
  assert([...a].filter((id) => b.has(id)).length < 40, "another seed, another sample");
  assertEquals(sampleIds(MUTANTS.slice(0, 10), { size: 100, seed: 1 }, "/repo").size, 10, "all when fewer");
});

Deno.test("sampleIds keeps a mutant's draw when other mutants come and go", () => {
  const a = sampleIds(MUTANTS, { size: 100, seed: 1 }, "/repo");
  const more = [...MUTANTS, ...Array.from({ length: 10 }, (_, i) => mutant(i, "b.ts"))];
  const b = sampleIds(more, { size: 100, seed: 1 }, "/repo");
  assert([...a].filter((id) => b.has(id)).length >= 90, "at most the displaced ones change");
});

Deno.test("sampleIds is uniform: each part of the population gets its share", () => {
  // 2,000 draws of 100 from 1,000: every mutant is drawn 200 times on average.
  const counts = new Array(10).fill(0);
  for (let seed = 0; seed < 20; seed++) {
    for (const id of sampleIds(MUTANTS, { size: 100, seed }, "/repo")) counts[Math.floor(Number(id) / 100)]++;
  }
  for (const c of counts) assert(c > 150 && c < 250, `a tenth of the mutants was drawn ${c} times of 2,000`);
});

Deno.test("sampleGuard lets the dry run and sampled mutants through and ends the others with success", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/sample`, "3\n12\n");
    const run = async (id: string | undefined) => {
      const env: Record<string, string> = id === undefined ? {} : { __STRYKER_ACTIVE_MUTANT__: id };
      const out = await new Deno.Command("sh", { args: ["-c", `${sampleGuard(`${dir}/sample`)}exit 7`], env })
        .output();
      return out.code;
    };
    assertEquals(await run(undefined), 7, "dry run");
    assertEquals(await run("12"), 7, "sampled");
    assertEquals(await run("1"), 0, "not sampled (a line, not a prefix)");
    assertEquals(await run("4"), 0, "not sampled");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("wilsonInterval gives the 95 % interval of a proportion in percent", () => {
  assertEquals(wilsonInterval(0, 0), null);
  assertEquals(wilsonInterval(90, 100), [82.6, 94.5]);
  assertEquals(wilsonInterval(100, 100), [96.3, 100]);
  assertEquals(wilsonInterval(0, 10), [0, 27.8]);
});
