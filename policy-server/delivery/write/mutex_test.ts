import { assertEquals, assertRejects } from "../../../tests/assert.ts";
import { Mutex } from "./mutex.ts";

Deno.test("Mutex runs critical sections one at a time, in call order", async () => {
  const mutex = new Mutex();
  const events: string[] = [];
  const section = (name: string, ms: number) =>
    mutex.run(async () => {
      events.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`${name}-`);
      return name;
    });
  assertEquals(await Promise.all([section("a", 20), section("b", 0), section("c", 5)]), ["a", "b", "c"]);
  assertEquals(events, ["a+", "a-", "b+", "b-", "c+", "c-"]);
});

Deno.test("Mutex is not poisoned by a failing section", async () => {
  const mutex = new Mutex();
  const failed = mutex.run(() => Promise.reject(new Error("boom")));
  const next = mutex.run(() => Promise.resolve(42));
  await assertRejects(() => failed, "boom");
  assertEquals(await next, 42);
});
