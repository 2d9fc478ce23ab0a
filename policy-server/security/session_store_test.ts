import { assert, assertEquals } from "../../tests/assert.ts";
import { SessionStore } from "./session_store.ts";
import type { Principal } from "./principal.ts";

const ops: Principal = { name: "ops", role: "operator", namespaces: "*" };

Deno.test("SessionStore ids are random 256-bit hex, and hold the principal and authorization", () => {
  const sessions = new SessionStore();
  const a = sessions.create(ops, "Bearer t"), b = sessions.create(ops, "Bearer t");
  assert(/^[0-9a-f]{64}$/.test(a) && a !== b);
  assertEquals(sessions.get(a)?.authorization, "Bearer t");
  assertEquals([sessions.get(undefined), sessions.get("nope")], [undefined, undefined]);
});

Deno.test("SessionStore sessions expire after their lifetime and are revoked by logout", () => {
  let now = 1_000;
  const sessions = new SessionStore({ ttlMs: 100, now: () => now });
  const id = sessions.create(ops);
  now += 99;
  assertEquals(sessions.get(id)?.principal.name, "ops");
  now += 1;
  assertEquals([sessions.get(id), sessions.size], [undefined, 0]);
  const other = sessions.create(ops);
  assertEquals([sessions.revoke(other), sessions.revoke(other), sessions.get(other)], [
    true,
    false,
    undefined,
  ]);
});

Deno.test("SessionStore keeps at most maxSessions, dropping the oldest", () => {
  const sessions = new SessionStore({ maxSessions: 2 });
  const [a, b, c] = [sessions.create(ops), sessions.create(ops), sessions.create(ops)];
  assertEquals([sessions.get(a), !!sessions.get(b), !!sessions.get(c), sessions.size], [
    undefined,
    true,
    true,
    2,
  ]);
});

Deno.test("SessionStore by default keeps a session eight hours and at most 10,000 sessions", () => {
  let now = 0;
  const sessions = new SessionStore({ now: () => now });
  assertEquals(sessions.ttlMs, 8 * 3600_000);
  const first = sessions.create(ops);
  for (let i = 1; i < 10_000; i++) sessions.create(ops);
  assertEquals([sessions.size, !!sessions.get(first)], [10_000, true]);
  sessions.create(ops);
  assertEquals([sessions.size, sessions.get(first)], [10_000, undefined]);
  const late = sessions.create(ops);
  now = 8 * 3600_000 - 1;
  assertEquals(!!sessions.get(late), true);
  now = 8 * 3600_000;
  assertEquals(sessions.get(late), undefined);
});

Deno.test("SessionStore.revoke() of no id revokes nothing", () => {
  const sessions = new SessionStore();
  sessions.create(ops);
  assertEquals([sessions.revoke(undefined), sessions.revoke(""), sessions.size], [false, false, 1]);
});
