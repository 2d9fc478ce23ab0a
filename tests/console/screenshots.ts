/**
 * `deno task screenshots`: PNGs of each console page into docs/console/, from a real server on
 * loopback with the header-routing seed and a weighted canary route applied.
 *
 * @module
 */
import { withServer } from "../../policy-server/testing.ts";
import { launchChromium } from "./browser.ts";

const SEED = await Deno.readTextFile(new URL("../../examples/header-routing/routes.yaml", import.meta.url));
const CANARY = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop-canary, namespace: shop}
spec:
  parentRefs: [{name: shop, kind: Service, group: "", port: 80}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: x-canary, value: "maybe"}]}
    backendRefs:
    - {name: shop-v1, port: 80, weight: 90}
    - {name: shop-v2, port: 80, weight: 10}
  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}, statusCode: 301}
`;
const OUT = new URL("../../docs/console/", import.meta.url);

const browser = await launchChromium();
try {
  await withServer(async (base) => {
    for (const body of [SEED, CANARY, SEED.replace('value: "new"', 'value: "beta"')]) {
      const res = await fetch(`${base}/v1/resources`, {
        method: "POST",
        headers: { "Content-Type": "application/yaml" },
        body,
      });
      if (!res.ok) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
      await res.body?.cancel();
    }
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const shoot = async (path: string, name: string, before?: () => Promise<void>) => {
      await page.goto(`${base}${path}`);
      await before?.();
      await page.screenshot({ path: new URL(`${name}.png`, OUT).pathname, fullPage: true });
      console.log(`docs/console/${name}.png`);
    };
    await shoot("/console", "routes");
    await shoot("/console/routes/shop/shop-canary", "route");
    await shoot("/console/try?method=GET&host=shop&path=%2Fapi%2Fcart&headers=x-request-id%3A+42", "try");
    // A miss on another port: the Why section names the port the route is on.
    await shoot("/console/try?method=GET&host=shop&port=9080&path=%2Fapi%2Fcart", "try-miss");
    await shoot("/console/blob", "blob");
    await shoot("/console/blob/rollback?generation=2", "rollback-confirm");
    await shoot("/console/edit?namespace=devopssong&name=my-server-route", "edit");
    await shoot("/console/edit", "edit-errors", async () => {
      await page.getByLabel("HTTPRoute YAML").fill(SEED.replace("port: 80\n  rules", "port: 99999\n  rules"));
      await page.getByRole("button", { name: "Validate (dry run)" }).click();
    });
    // A misspelt field, refused as the API server refuses it.
    await shoot("/console/edit", "edit-typo", async () => {
      await page.getByLabel("HTTPRoute YAML").fill(SEED.replace("headers:", "header:"));
      await page.getByRole("button", { name: "Validate (dry run)" }).click();
    });
    await page.setViewportSize({ width: 390, height: 800 });
    await shoot("/console", "routes-narrow");
  });
} finally {
  await browser.close();
}
