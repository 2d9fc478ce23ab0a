/**
 * 3. Blob size: bytes per rule of the blob as delivered (packed: DEFLATE-compressed format 3) and of
 * the format-3 blob inside it, both against their source HTTPRoutes (minified JSON, gzip'd JSON),
 * where its bytes go (strings, programs, records), and whether the WasmPlugin that
 * carries the packed blob fits Kubernetes and the policy server's store.
 *
 * @module
 */
import { gzipSync } from "node:zlib";
import { PACK_LEVEL, unpackBlob } from "../../policy-server/blob/pack_blob.ts";
import { decodeBlob } from "../../policy-server/blob/decode_blob.ts";
import {
  renderWasmPlugin,
  wasmPluginToYaml,
} from "../../policy-server/delivery/wasmplugin/render_wasmplugin.ts";
import { KV_LIMITS } from "../../policy-server/store/kv_batch.ts";
import { compiledTable } from "./fixtures.ts";
import { bytes, fmt, ratio, table } from "./measure.ts";

export interface BlobSizeOptions {
  sizes: number[];
}

export interface BlobSize {
  rules: number;
  /** The blob as stored and delivered: packed. */
  blob: number;
  /** The format-3 blob inside it. */
  rawBlob: number;
  /** The format-3 blob, gzip'd (default level), for comparison. */
  blobGzip: number;
  json: number;
  jsonGzip: number;
  wasmPluginYaml: number;
  wasmPluginJson: number;
  /** Section name → bytes of the format-3 blob (directory and header under "header"). */
  sections: Record<string, number>;
}

export interface BlobSizeResult {
  sizes: BlobSize[];
}

/** 1 MiB: the bound asked of the WasmPlugin. */
export const WASMPLUGIN_BUDGET = 1 << 20;
/** etcd's default request limit (`--max-request-bytes`), 1.5 MiB: larger objects cannot be stored. */
export const ETCD_LIMIT = 1.5 * (1 << 20);

/**
 * Where a format-3 blob's bytes go: header and part directory, string tables, regex programs, and
 * records (what the decoder's annotations call each byte range, docs/blob-format.md).
 */
export function sectionSizes(blob: Uint8Array): Record<string, number> {
  const out: Record<string, number> = { "header + directory": 0, STRINGS: 0, PROGRAMS: 0, records: 0 };
  decodeBlob(blob, (from, to, what) => {
    const name = from < 32 || /^part \d+: (\d+ bytes|sections)/.test(what)
      ? "header + directory"
      : /^(string |\d+ strings)/.test(what)
      ? "STRINGS"
      : /^(program|\d+ programs)/.test(what)
      ? "PROGRAMS"
      : "records";
    out[name] += to - from;
  });
  return out;
}

export async function measureBlobSize(options: BlobSizeOptions): Promise<BlobSizeResult> {
  const sizes: BlobSize[] = [];
  for (const rules of options.sizes) {
    const t = await compiledTable(rules);
    const raw = unpackBlob(t.blob);
    const json = new TextEncoder().encode(JSON.stringify(t.generated.routes));
    const plugin = renderWasmPlugin({ blob: t.blob, sha256: t.sha256, generation: t.generation });
    sizes.push({
      rules,
      blob: t.blob.length,
      rawBlob: raw.length,
      blobGzip: gzipSync(raw).length,
      json: json.length,
      jsonGzip: gzipSync(json).length,
      wasmPluginYaml: new TextEncoder().encode(wasmPluginToYaml(plugin)).length,
      wasmPluginJson: new TextEncoder().encode(JSON.stringify(plugin)).length,
      sections: sectionSizes(raw),
    });
  }
  return { sizes };
}

/** How many rules of this shape fit each limit, extrapolated linearly from the measured sizes. */
function capacity(r: BlobSizeResult): string {
  const a = r.sizes[0], b = r.sizes[r.sizes.length - 1];
  const slope = (
    f: (s: BlobSize) => number,
  ) => (a === b ? f(b) / b.rules : (f(b) - f(a)) / (b.rules - a.rules));
  const fits = (f: (s: BlobSize) => number, limit: number) => {
    const perRule = slope(f);
    return Math.floor((limit - (f(b) - perRule * b.rules)) / perRule);
  };
  const plugin = (s: BlobSize) => Math.max(s.wasmPluginYaml, s.wasmPluginJson);
  const round = (n: number) => fmt(Math.floor(n / 100) * 100);
  return `Extrapolated from these sizes (${fmt(slope(plugin), 0)} WasmPlugin bytes per rule): about ` +
    `${round(fits(plugin, WASMPLUGIN_BUDGET))} rules of this shape fit a 1 MiB WasmPlugin, ` +
    `${round(fits(plugin, ETCD_LIMIT))} fit etcd's 1.5 MiB, and ${
      round(fits((s) => s.blob, KV_LIMITS.totalBytes))
    }` +
    " fit the store's one-write limit (blob alone).";
}

export function renderBlobSize(r: BlobSizeResult): string {
  const yes = (ok: boolean) => (ok ? "yes" : "**no**");
  const cols = r.sizes.map((s) => `${fmt(s.rules)} rules`);
  const row = (label: string, f: (s: BlobSize) => string) => [label, ...r.sizes.map(f)];
  const sectionNames = [...new Set(r.sizes.flatMap((s) => Object.keys(s.sections)))];
  return [
    "The generated tables of the hot-path benchmark (HTTPRoutes of ten rules, one match and one backend each;",
    "exact, prefix, header and query matches). The blob is delivered packed: the format-3 blob compressed with",
    `raw DEFLATE (zlib level ${PACK_LEVEL}) in a 16-byte envelope. JSON is the HTTPRoutes as a minified array; gzip is`,
    "node:zlib's default level. The WasmPlugin is what `renderWasmPlugin` renders (the packed blob base64 in",
    "`pluginConfig`).",
    "",
    table(["", ...cols], [
      row("blob as delivered (packed)", (s) => bytes(s.blob)),
      row("packed bytes per rule", (s) => fmt(s.blob / s.rules, 1)),
      row("format-3 blob (unpacked)", (s) => bytes(s.rawBlob)),
      row("format-3 bytes per rule", (s) => fmt(s.rawBlob / s.rules, 1)),
      row("packed / format 3", (s) => ratio(s.blob / s.rawBlob)),
      row("source HTTPRoutes, minified JSON", (s) => bytes(s.json)),
      row("source HTTPRoutes, gzip'd JSON", (s) => bytes(s.jsonGzip)),
      row("packed blob / JSON", (s) => ratio(s.blob / s.json)),
      row("packed blob / gzip'd JSON", (s) => ratio(s.blob / s.jsonGzip)),
      row("gzip'd format-3 blob (for comparison)", (s) => bytes(s.blobGzip)),
      row("WasmPlugin, YAML", (s) => bytes(s.wasmPluginYaml)),
      row("WasmPlugin, JSON", (s) => bytes(s.wasmPluginJson)),
      row(
        "WasmPlugin under 1 MiB",
        (s) => yes(Math.max(s.wasmPluginYaml, s.wasmPluginJson) < WASMPLUGIN_BUDGET),
      ),
      row(
        "WasmPlugin under etcd's 1.5 MiB",
        (s) => yes(Math.max(s.wasmPluginYaml, s.wasmPluginJson) < ETCD_LIMIT),
      ),
      row(
        `blob fits the store's one KV write (${fmt(KV_LIMITS.totalBytes)} B)`,
        (s) => yes(s.blob < KV_LIMITS.totalBytes),
      ),
    ]),
    "",
    "Where the format-3 blob's bytes go (before compression):",
    "",
    table(
      ["section", ...cols],
      sectionNames.map((name) => [
        name,
        ...r.sizes.map((s) =>
          s.sections[name] === undefined
            ? "–"
            : `${bytes(s.sections[name])}, ${(100 * s.sections[name] / s.rawBlob).toFixed(0)} %`
        ),
      ]),
    ),
    "",
    capacity(r),
    "",
    "The store writes a new (packed) blob in parts of 60,000 bytes, each under its SHA-256, ahead of the KV",
    "atomic operation that commits the objects and the blob's meta record: a blob larger than one operation",
    "(800 KB) is published all the same, and every read checks each part against its digest.",
  ].join("\n");
}
