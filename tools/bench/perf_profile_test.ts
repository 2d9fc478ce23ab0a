import { assertEquals } from "../../tests/assert.ts";
import { parsePerfReport } from "./perf_profile.ts";

Deno.test("parsePerfReport() sums the samples by where they fell", () => {
  const report = [
    "# Samples: 12K of event 'cpu-clock'",
    "# Overhead  Shared Object",
    "# ........  .................",
    "#",
    "    78.00%  envoy            ",
    "    14.00%  [kernel.kallsyms]",
    "     4.00%  libc.so.6        ",
    "     2.00%  [vdso]           ",
    "     1.50%  [JIT] tid 6095   ",
    "     0.50%  [JIT] tid 6096   ",
  ].join("\n");
  const s = parsePerfReport(report);
  assertEquals(s.samples, 12_000);
  assertEquals([s.envoy, s.kernel, s.libc, s.jit, s.other].map((x) => Math.round(x * 1000)), [
    780,
    140,
    40,
    20,
    20,
  ]);
});
