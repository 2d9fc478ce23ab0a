import { assertEquals } from "../../tests/assert.ts";
import { mirroredPath, mirrorPath, mirrorSource } from "./as_mirror.ts";

Deno.test("mirrorSource() turns decorators on functions into comments of the same length", () => {
  const source = "@inline export function a(): i32 { return 1; }\n  @inline function b(): void {}\n";
  const mirrored = mirrorSource(source);
  assertEquals(mirrored, "/*inl*/ export function a(): i32 { return 1; }\n  /*inl*/ function b(): void {}\n");
  assertEquals(mirrored.split("\n").map((l) => l.length), source.split("\n").map((l) => l.length));
});

Deno.test("mirrorSource() leaves decorators on classes and fields alone", () => {
  const source = "@final\nclass A {}\n@unmanaged class B { x: i32 = 0; }\n";
  assertEquals(mirrorSource(source), source);
});

Deno.test("mirroredPath() gives back the repository path of a mirror, from anywhere", () => {
  const path = "filter/assembly/core/decide.ts";
  assertEquals(mirroredPath(mirrorPath(path)), path);
  assertEquals(mirroredPath(`/tmp/sandbox-1/${mirrorPath(path)}`), path);
  assertEquals(mirroredPath(path), undefined);
});
