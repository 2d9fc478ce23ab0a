/**
 * The request budget: bounds on every request before anything parses it.
 *
 * @module
 */
export * from "./body_format.ts";
export * from "./check_body_shape.ts";
export * from "./decode_body_text.ts";
export * from "./read_body_text.ts";
export * from "./request_budget.ts";
