// The module's entry: the ABI exports, and wasmroute's root context registered with the runtime.
export * from "./abi/exports";
import { registerRootContext, RootContext } from "./abi/runtime";
import { WasmRouteRoot } from "./filter";

registerRootContext((id: u32): RootContext => new WasmRouteRoot(id));
