import type { Schemas } from "../../../api/client";
import type { Translate } from "../i18n";

export type Dashboard = Schemas["Dashboard"];
/** A count about people as the server gives it: a number of at least 3, or "fewer than 3". */
export type MaskedCount = Dashboard["kpis"]["attendees"];

/** What a masked count reads on screen: the number, or "fewer than 3" in the reader's language. */
export function shownCount(t: Translate, count: MaskedCount): string {
  return typeof count === "number" ? String(count) : t("org.live.fewerThan3");
}

/** 0 for a masked count: a chart draws it as "none shown", never as 1 or 2. */
export function countValue(count: MaskedCount): number {
  return typeof count === "number" ? count : 0;
}

export const HEAT_LEVELS = 5;

/** The colour step (0 to HEAT_LEVELS) of a heatmap cell, relative to the busiest cell shown. */
export function heatLevel(count: MaskedCount, busiest: number): number {
  const value = countValue(count);
  if (value === 0 || busiest === 0) return 0;
  return Math.max(1, Math.ceil((value / busiest) * HEAT_LEVELS));
}
