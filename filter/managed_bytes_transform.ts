/**
 * An AssemblyScript compiler transform that gives a module's own code the minimal runtime's count of
 * bytes held by managed objects. The runtime (`~lib/rt/tcms`) keeps that count in a module-level
 * global it does not export, and AssemblyScript has no way to name another file's private global;
 * the filter's collection policy (`filter/assembly/abi/heap.ts`) needs it to collect only after a
 * budget of allocation, as the incremental runtime would on its own.
 *
 * The module declares `managedBytes(): usize` with a trapping body; after compiling, before
 * validation and optimisation, this transform gives it the body `global.get <the runtime's total>`.
 * A module that declares no such function is left as it is; one that declares it in a build without
 * the minimal runtime's global fails to compile, rather than running with a policy that never
 * collects.
 *
 * @module
 */
import { Transform } from "assemblyscript/transform";

/** The function the transform fills in: its internal name ends with this. */
export const MANAGED_BYTES_FUNCTION = "abi/heap/managedBytes";
/** The minimal runtime's running total of managed bytes (std/assembly/rt/tcms.ts). */
export const RUNTIME_TOTAL_GLOBAL = "~lib/rt/tcms/total";

/** See the module doc. Passed to `asc.main` in `APIOptions.transforms`. */
export class ManagedBytesTransform extends Transform {
  override afterCompile(module: Parameters<NonNullable<Transform["afterCompile"]>>[0]): void {
    const binaryen = this.binaryen;
    let name: string | null = null;
    for (let i = 0; i < module.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
      if (info.name.endsWith(MANAGED_BYTES_FUNCTION)) name = info.name;
    }
    if (name === null) return;
    if (!module.getGlobal(RUNTIME_TOTAL_GLOBAL)) {
      throw new Error(
        `${name} needs the minimal runtime (--runtime minimal): the module has no ${RUNTIME_TOTAL_GLOBAL}`,
      );
    }
    const type = binaryen.getGlobalInfo(module.getGlobal(RUNTIME_TOTAL_GLOBAL)).type;
    module.removeFunction(name);
    module.addFunction(name, binaryen.none, type, [], module.global.get(RUNTIME_TOTAL_GLOBAL, type));
  }
}
