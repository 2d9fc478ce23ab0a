// Which rule table generations a filter takes: never one older than the table serving, unless it
// was made by a rollback. A policy server whose store was lost or replaced would otherwise publish
// generation 1 again, and every proxy would fall back to an empty table.

/**
 * Why a table of `incoming` generation must not replace the `serving` one ("" when it may): it is
 * older, and not marked as a rollback. Generation 0 is the empty table before the first.
 */
export function rewindOf(serving: u32, incoming: u32, rollback: bool): string {
  if (serving == 0 || incoming >= serving || rollback) return "";
  return "generation " + incoming.toString() + " is older than generation " + serving.toString() +
    " serving, and not marked as a rollback";
}
