/**
 * The web console under `/console`: {@linkcode consoleRoutes} mounts it; each page is a module of
 * `pages/`.
 *
 * @module
 */
export { consoleRoutes } from "./console_routes.ts";
export type { ConsoleDeps } from "./console_kit.tsx";
export { PAGE_SIZE } from "./pages/routes_page.tsx";
