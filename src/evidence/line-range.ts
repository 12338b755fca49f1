/**
 * A half-open range of log lines. In a module of its own so that
 * find-anchors.ts (anchors are looked for within ranges) need not import
 * find-error-blocks.ts, which imports find-anchors.ts (blocks grow from
 * anchors, within ranges): the two would otherwise import each other.
 */
export interface LineRange {
  readonly from: number;
  /** Exclusive. */
  readonly to: number;
}
