/**
 * The texts of a response's `Warning` headers (RFC 7234, as the Kubernetes API server writes them:
 * `299 - "text"`), which the console shows as kubectl prints them.
 *
 * @module
 */

/** Each warning's text, unescaped; one header value may carry several, comma-separated. */
export function warningTexts(headers: Headers): string[] {
  const value = headers.get("Warning") ?? "";
  return [...value.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1"));
}
