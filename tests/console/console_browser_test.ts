/**
 * The console in a real browser (headless Chromium) against a real server on loopback: log in,
 * apply the seed route on the Edit page, see it Accepted, try `version: new`, change the route,
 * roll back on the Blob page and see the previous version serve again.
 */
import { assert, assertEquals } from "../assert.ts";
import { withServer } from "../../policy-server/testing.ts";
import { launchChromium } from "./browser.ts";

const SEED = await Deno.readTextFile(new URL("../../examples/header-routing/routes.yaml", import.meta.url));

Deno.test({
  name: "console in Chromium: edit, routes, try, blob rollback",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const browser = await launchChromium();
    try {
      await withServer(async (base) => {
        const page = await browser.newPage();
        page.setDefaultTimeout(15_000);

        await page.goto(`${base}/console`);
        assert(page.url().includes("/console/login"), page.url());
        await page.getByLabel("API token").fill("browser-ops-token");
        await page.getByRole("button", { name: "Log in" }).click();
        await page.waitForURL(`${base}/console`);
        assert((await page.textContent("header"))!.includes("ops (operator)"));

        // Apply the seed through the Edit page: dry run first, then apply.
        await page.goto(`${base}/console/edit`);
        await page.getByLabel("HTTPRoute YAML").fill(SEED);
        await page.getByRole("button", { name: "Validate (dry run)" }).click();
        assert((await page.textContent("#edit-result"))!.includes("Valid (dry run"));
        await page.getByRole("button", { name: "Apply" }).click();
        assert((await page.textContent("#edit-result"))!.includes("Applied"));

        // Accepted on the Routes page.
        await page.goto(`${base}/console?namespace=devopssong`);
        const row = page.locator("tr", { hasText: "devopssong/my-server-route" });
        assert((await row.textContent())!.includes("True Accepted"), await row.textContent() ?? "");

        // Try `version: new`.
        const tryNew = async () => {
          await page.goto(`${base}/console/try`);
          await page.getByLabel("Host").fill("my-server");
          await page.getByLabel("Path (and query)").fill("/");
          await page.getByLabel("Headers").fill("version: new");
          await page.getByRole("button", { name: "Try" }).click();
          return (await page.textContent("#try-backend"))!;
        };
        assertEquals(await tryNew(), "devopssong/my-server-v2:80");

        // Change the rule (new → beta): version: new now goes to v1.
        await page.goto(`${base}/console/edit?namespace=devopssong&name=my-server-route`);
        const yaml = await page.getByLabel("HTTPRoute YAML").inputValue();
        assert(yaml.includes("my-server-route"), yaml);
        await page.getByLabel("HTTPRoute YAML").fill(SEED.replace('value: "new"', 'value: "beta"'));
        await page.getByRole("button", { name: "Apply" }).click();
        assert((await page.textContent("#edit-result"))!.includes("Applied"));
        assertEquals(await tryNew(), "devopssong/my-server-v1:80");

        // The Blob page: the diff names the changed rule; roll back to the previous version.
        await page.goto(`${base}/console/blob`);
        const serving = Number(await page.textContent("#current-generation"));
        assert((await page.textContent("#diff"))!.includes("changed devopssong/my-server-route#0"));
        const previous = serving - 1;
        await page.getByRole("link", { name: `roll back to ${previous}` }).click();
        await page.getByRole("button", { name: `Roll back to generation ${previous}` }).click();
        await page.waitForURL(/rolledBack=/);
        assert((await page.textContent("[role=status]"))!.includes("Rolled back"));
        assert((await page.textContent("#current-generation"))!.includes(`rollback of ${previous}`));
        assertEquals(await tryNew(), "devopssong/my-server-v2:80");
        await page.close();
      }, { tokenSpecs: [{ name: "ops", token: "browser-ops-token", namespaces: ["*"], role: "operator" }] });
    } finally {
      await browser.close();
    }
  },
});
