import { assertEquals } from "../../tests/assert.ts";
import { parseIpAddress } from "./ip_address.ts";

Deno.test("parseIpAddress() reads IPv4 and IPv6 literals into their canonical text", async (t) => {
  const cases: [string, string | undefined, string | undefined][] = [
    ["10.96.0.20", "IPv4", "10.96.0.20"],
    ["0.0.0.0", "IPv4", "0.0.0.0"],
    ["255.255.255.255", "IPv4", "255.255.255.255"],
    ["010.096.000.020", "IPv4", "10.96.0.20"], // leading zeros are decimal, as the API server reads them
    ["fd00:10:96::a", "IPv6", "fd00:10:96::a"],
    ["FD00:0010:0096:0000:0000:0000:0000:000A", "IPv6", "fd00:10:96::a"],
    ["2001:db8:0:0:1:0:0:1", "IPv6", "2001:db8::1:0:0:1"], // the first of two longest runs
    ["2001:db8:0:1:1:1:1:1", "IPv6", "2001:db8:0:1:1:1:1:1"], // one zero group stays
    ["::", "IPv6", "::"],
    ["::1", "IPv6", "::1"],
    ["256.1.1.1", undefined, undefined],
    ["1.2.3", undefined, undefined],
    ["1.2.3.4.5", undefined, undefined],
    ["None", undefined, undefined],
    ["", undefined, undefined],
    ["[::1]", undefined, undefined],
    ["fe80::1%eth0", undefined, undefined],
    ["10.0.0.0/8", undefined, undefined],
    ["1:2:3:4:5:6:7:8:9", undefined, undefined],
    ["reviews.default", undefined, undefined],
    [" 10.0.0.1", undefined, undefined],
  ];
  for (const [text, family, canonical] of cases) {
    await t.step(JSON.stringify(text), () => {
      const ip = parseIpAddress(text);
      assertEquals(ip?.family, family);
      assertEquals(ip?.canonical, canonical);
    });
  }
});
