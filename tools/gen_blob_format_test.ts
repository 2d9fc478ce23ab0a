import { assertEquals } from "../tests/assert.ts";
import { BLOB_FORMAT_AS, renderBlobFormat, screamingSnake } from "./gen_blob_format.ts";

Deno.test("the filter's blob constants are the ones policy-server/blob/format.ts defines", async () => {
  const committed = await Deno.readTextFile(new URL(`../${BLOB_FORMAT_AS}`, import.meta.url));
  assertEquals(
    committed,
    renderBlobFormat(),
    `${BLOB_FORMAT_AS} has drifted from policy-server/blob/format.ts: run deno task gen:blob-format`,
  );
});

Deno.test("renderBlobFormat() writes each table entry as TABLE_ENTRY, typed by its field's width", () => {
  const text = renderBlobFormat();
  for (
    const line of [
      "export const FILTER_KIND_REQUEST_REDIRECT: u8 = 7;",
      "export const PART_KIND_VIRTUAL_HOST: u8 = 1;",
      "export const STRING_REF_FIRST: u32 = 3;",
      "export const SECTION_RULE_IDS: u32 = 2;",
      "export const HOST_KIND_WILDCARD: u8 = 2;",
      'export const DERIVED_CLUSTER_SUFFIX: string = "svc.cluster.local";',
      "export const MAGIC: u32 = 0x42545257;",
    ]
  ) assertEquals(text.includes(line), true, line);
});

Deno.test("screamingSnake() splits words at case changes and keeps acronyms whole", () => {
  assertEquals(screamingSnake("RequestRedirect"), "REQUEST_REDIRECT");
  assertEquals(screamingSnake("CORSExpose"), "CORS_EXPOSE");
  assertEquals(screamingSnake("URLRewrite"), "URL_REWRITE");
  assertEquals(screamingSnake("wildcard"), "WILDCARD");
  assertEquals(screamingSnake("HOST_KIND"), "HOST_KIND");
});
