/**
 * docs/troubleshooting.md quotes the filter's log lines, metric names, local-reply details and
 * refusal reasons so that people can grep for them: each quote must still be in the filter's source.
 */
import { join } from "node:path";
import { assert } from "../assert.ts";

const root = new URL("../../", import.meta.url).pathname;
const doc = await Deno.readTextFile(join(root, "docs/troubleshooting.md"));
const source = async (...files: string[]) =>
  (await Promise.all(files.map((f) => Deno.readTextFile(join(root, "filter/assembly", f))))).join("\n")
    .replaceAll('\\"', '"');
const filter = await source("filter.ts");
// Messages built by concatenation ("configuration has no \"" + name + "\" member") read with … for
// each inserted part, as the doc writes them with placeholders.
const concatenated = (text: string) => text.replace(/"\s*\+\s*[^;"]*?\s*\+\s*"/g, "…");
const core = concatenated(
  await source(
    "core/config.ts",
    "core/blob.ts",
    "core/part_reader.ts",
    "core/filter_records.ts",
    "core/decide.ts",
  ),
);

const quotes = (pattern: RegExp) => [...doc.matchAll(pattern)].map((m) => m[1]);

Deno.test("the log lines troubleshooting.md quotes are the filter's", () => {
  const fragments = [
    "wasmroute: serving rule table generation ",
    " virtual hosts, ",
    "wasmroute: empty configuration: passing all traffic through",
    "wasmroute: refused configuration: ",
  ];
  for (const f of fragments) {
    assert(doc.includes(f.trim()), `troubleshooting.md no longer quotes "${f}"`);
    assert(filter.includes(f), `filter.ts no longer logs "${f}": update docs/troubleshooting.md`);
  }
});

Deno.test("the metrics troubleshooting.md names are the filter's", () => {
  const names = quotes(/`(?:wasmcustom\.)?(wasmroute\.[a-z_]+)`/g);
  assert(names.length >= 6);
  for (const name of names) assert(filter.includes(`"${name}"`), `filter.ts defines no metric ${name}`);
});

Deno.test("the local-reply details troubleshooting.md names are the filter's", () => {
  const details = quotes(/`wasmroute_([a-z_]+)`/g).filter((d) => !d.endsWith("_total"));
  assert(details.length >= 3);
  assert(filter.includes('"wasmroute_"'), "filter.ts no longer prefixes reply details with wasmroute_");
  for (const d of details) assert(core.includes(`"${d}"`), `decide.ts has no reply reason ${d}`);
});

Deno.test("the refusal reasons troubleshooting.md lists are the filter's", () => {
  const table = doc.slice(
    doc.indexOf("`REASON` is one of:"),
    doc.indexOf("Requests the filter answers itself"),
  );
  const reasons = [...table.matchAll(/^\| (.+?) \|/gm)].flatMap((m) =>
    [...m[1].matchAll(/`([^`]+)`/g)].map((q) => q[1])
  );
  assert(reasons.length >= 10, `found ${reasons.length} reasons`);
  for (const reason of reasons) {
    // Placeholders (N, NAME, …) stand for numbers, names and repeated wording: the rest must be in the source.
    for (const fragment of reason.split(/…|\bN\b|\bNAME\b/).map((f) => f.trim()).filter(Boolean)) {
      assert(core.includes(fragment), `the filter has no refusal reason containing "${fragment}"`);
    }
  }
});
