import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { StatusError } from "../model/kube_status.ts";
import { bodyFormatOf } from "./body_format.ts";

Deno.test("bodyFormatOf() reads JSON and YAML media types, parameters and case aside", () => {
  for (
    const type of ["application/json", "Application/JSON; charset=utf-8", "application/merge-patch+json"]
  ) {
    assertEquals(bodyFormatOf(type), "json", type);
  }
  for (const type of ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml; charset=utf-8"]) {
    assertEquals(bodyFormatOf(type), "yaml", type);
  }
});

Deno.test("bodyFormatOf() refuses every other type, and none, with the API server's 415 wording", () => {
  for (
    const type of [
      undefined,
      "",
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonx",
    ]
  ) {
    const error = assertThrows(() => bodyFormatOf(type), StatusError, "unknown format") as Error & {
      status: number;
    };
    assertEquals(error.status, 415, String(type));
  }
});
