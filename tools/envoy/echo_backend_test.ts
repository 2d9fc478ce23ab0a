import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { startEchoBackend } from "./echo_backend.ts";

const backend = {
  cluster: "outbound|80||my-server-v2.devopssong.svc.cluster.local",
  label: "devopssong/my-server-v2:80",
};

Deno.test("an echo backend answers with its label, the method, the path with query and the headers", async () => {
  const lines: string[] = [];
  const echo = await startEchoBackend(backend, { log: (l) => lines.push(l) });
  try {
    assertEquals([echo.cluster, echo.label, echo.address], [backend.cluster, backend.label, "127.0.0.1"]);
    const res = await fetch(`http://127.0.0.1:${echo.port}/a/b?x=1`, {
      method: "POST",
      headers: { "My-Added-Header": "added-value" },
      body: "ignored",
    });
    const reply = await res.json();
    assertEquals(Object.keys(reply), ["backend", "method", "path", "headers"]);
    assertEquals([reply.backend, reply.method, reply.path], [backend.label, "POST", "/a/b?x=1"]);
    assertEquals(reply.headers["my-added-header"], "added-value");
    assertEquals(lines.length, 1);
    assertMatch(lines[0], /^\[devopssong\/my-server-v2:80\] POST \/a\/b\?x=1 .*my-added-header=added-value/);
  } finally {
    await echo.close();
  }
});

Deno.test("a closed echo backend no longer accepts connections", async () => {
  const echo = await startEchoBackend(backend, { log: () => {} });
  await echo.close();
  let refused = false;
  try {
    await Deno.connect({ hostname: "127.0.0.1", port: echo.port });
  } catch {
    refused = true;
  }
  assertEquals(refused, true);
});
