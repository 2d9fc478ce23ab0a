// Everything one request's decision works with, in one object the caller owns and passes in: the
// request, what scanning it found, what was read of it lazily, the served table's raw addresses, and
// the Decision being made. The ABI layer keeps one per root context and reuses it from request to
// request (a VM runs one request at a time), so deciding allocates nothing on the common path and
// the core keeps no state of its own between calls.
import { RuleTable } from "./blob";
import { Decision } from "./decision";
import { HotTable } from "./hot_table";
import { Bytes, RequestView } from "./request";
import { Authority } from "./scan";
import { Target } from "./target";

export class RequestContext {
  /** The request's `:path` and what scanning it found. */
  readonly target: Target = new Target();
  /** The request's `:authority` and what scanning it found. */
  readonly authority: Authority = new Authority();
  readonly decision: Decision = new Decision();
  /** A header or query value a condition compares (core/match.ts). */
  readonly conditionValue: Bytes = new Bytes();
  /** The connection's original destination, when a lookup by frontend reads it (core/lookup.ts). */
  readonly destination: Bytes = new Bytes();
  /** The request being decided: set by begin(). */
  req: RequestView | null = null;
  /**
   * The lookup reads the served table's words through these raw addresses (core/hot_table.ts),
   * copied once per table, so a request follows no object to find them.
   */
  table: RuleTable | null = null;
  hot: HotTable | null = null;
  hostSlots: usize = 0;
  hostMask: u32 = 0;
  hostItems: usize = 0;
  vhostRecords: usize = 0;
  routeRecords: usize = 0;
  /** What is read lazily, at most once per request: the port (-1: not yet), the method. */
  private knownPort: i64 = -1;
  private knownMethod: string | null = null;

  /** Starts deciding `req` over `table`: forgets the last request's facts and decision. */
  begin(table: RuleTable, req: RequestView): Decision {
    if (this.hot !== table.hot) this.serve(table);
    this.req = req;
    this.knownPort = -1;
    this.knownMethod = null;
    const d = this.decision;
    d.clear();
    return d;
  }

  /**
   * The listener or Service port: the connection's, else (a host that does not say) the one named in
   * Host, else the scheme's default. A port in Host is never part of the hostname. Read only when a
   * virtual host or a redirect depends on it.
   */
  port(): u32 {
    if (this.knownPort >= 0) return <u32>this.knownPort;
    const req = this.req!;
    let port = req.destinationPort();
    if (port == 0) {
      const authority = this.authority;
      port = authority.port;
      if (!authority.hasPort) {
        const scheme = req.header(":scheme");
        port = scheme !== null && scheme == "https" ? 443 : 80;
      }
    }
    this.knownPort = port;
    return port;
  }

  /** Takes `port` as the request's port (a lookup that found it otherwise). */
  setPort(port: u32): void {
    this.knownPort = port;
  }

  /** The request's method ("GET" when the host does not say). */
  method(): string {
    const known = this.knownMethod;
    if (known !== null) return known;
    const h = this.req!.header(":method");
    const m = h !== null ? h : "GET";
    this.knownMethod = m;
    return m;
  }

  private serve(table: RuleTable): void {
    const hot = table.hot;
    this.table = table;
    this.hot = hot;
    this.hostSlots = hot.hostSlots;
    this.hostMask = hot.hostMask;
    this.hostItems = hot.hostItems;
    this.vhostRecords = hot.vhosts;
    this.routeRecords = hot.routes;
  }
}
