import { assertEquals } from "../../tests/assert.ts";
import { ANONYMOUS, denial } from "./principal.ts";
import type { Principal } from "./principal.ts";

const of = (role: Principal["role"], namespaces: string[] | "*"): Principal => ({
  name: role,
  role,
  namespaces: namespaces === "*" ? "*" : new Set(namespaces),
});

Deno.test("denial: readers read their namespaces only", () => {
  const reader = of("reader", ["apps"]);
  assertEquals(denial(reader, { verb: "read", kind: "HTTPRoute", namespace: "apps" }), undefined);
  assertEquals(typeof denial(reader, { verb: "read", kind: "HTTPRoute", namespace: "web" }), "string");
  assertEquals(typeof denial(reader, { verb: "write", kind: "HTTPRoute", namespace: "apps" }), "string");
});

Deno.test("denial: writers write HTTPRoutes, Services and ServiceImports in their namespaces", () => {
  const writer = of("writer", ["apps"]);
  for (const kind of ["HTTPRoute", "Service", "ServiceImport"] as const) {
    assertEquals(denial(writer, { verb: "write", kind, namespace: "apps" }), undefined, kind);
    assertEquals(typeof denial(writer, { verb: "write", kind, namespace: "web" }), "string", kind);
  }
  for (const kind of ["Gateway", "ReferenceGrant", "Namespace"] as const) {
    assertEquals(typeof denial(writer, { verb: "write", kind, namespace: "apps" }), "string", kind);
  }
  assertEquals(typeof denial(of("writer", "*"), { verb: "writeAll" }), "string");
});

Deno.test("denial: operators write every kind in their namespaces; all-namespace actions need '*'", () => {
  const operator = of("operator", ["apps"]);
  for (const kind of ["Gateway", "ReferenceGrant", "Namespace", "HTTPRoute"] as const) {
    assertEquals(denial(operator, { verb: "write", kind, namespace: "apps" }), undefined, kind);
  }
  assertEquals(typeof denial(operator, { verb: "write", kind: "Gateway", namespace: "web" }), "string");
  assertEquals(typeof denial(operator, { verb: "writeAll" }), "string");
  assertEquals(typeof denial(operator, { verb: "readAll" }), "string");
  assertEquals(denial(of("operator", "*"), { verb: "writeAll" }), undefined);
  assertEquals(denial(of("reader", "*"), { verb: "readAll" }), undefined);
  assertEquals(denial(ANONYMOUS, { verb: "writeAll" }), undefined);
});

Deno.test("denial: says who was refused what, in each case", () => {
  const reader = of("reader", ["apps"]), writer = of("writer", ["apps"]), operator = of("operator", ["apps"]);
  const cases: [Principal, Parameters<typeof denial>[1], string | undefined][] = [
    [
      reader,
      { verb: "read", kind: "HTTPRoute", namespace: "web" },
      'token "reader" (reader) may not read in namespace "web"',
    ],
    [
      reader,
      { verb: "write", kind: "HTTPRoute", namespace: "apps" },
      'token "reader" (reader) may not write',
    ],
    [reader, { verb: "writeSome" }, 'token "reader" (reader) may not write'],
    [writer, { verb: "writeSome" }, undefined],
    [operator, { verb: "writeSome" }, undefined],
    [
      writer,
      { verb: "write", kind: "Gateway", namespace: "apps" },
      'token "writer" (writer) may not write Gateways; that takes the operator role',
    ],
    [
      writer,
      { verb: "write", kind: "Service", namespace: "web" },
      'token "writer" (writer) may not write in namespace "web"',
    ],
    [
      operator,
      { verb: "readAll" },
      `token "operator" (operator) may not read what every namespace's routes compile to; that takes namespaces ["*"]`,
    ],
    [
      operator,
      { verb: "writeAll" },
      `token "operator" (operator) may not change what every namespace's routes compile to; that takes namespaces ["*"]`,
    ],
    [
      of("writer", "*"),
      { verb: "writeAll" },
      'token "writer" (writer) may not do this; that takes the operator role',
    ],
    [
      of("reader", "*"),
      { verb: "writeAll" },
      'token "reader" (reader) may not do this; that takes the operator role',
    ],
    [of("reader", "*"), { verb: "read", kind: "Gateway", namespace: "any" }, undefined],
  ];
  for (const [principal, action, want] of cases) {
    assertEquals(denial(principal, action), want, `${principal.name} ${JSON.stringify(action)}`);
  }
});
