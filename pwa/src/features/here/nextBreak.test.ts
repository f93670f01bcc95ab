import { describe, expect, it } from "vitest";
import { nextBreak } from "./nextBreak";

const at = (hhmm: string) => `2026-03-12T${hhmm}:00+01:00`;
const t = (hhmm: string) => Date.parse(at(hhmm));
const breaks = [
  { id: 2, label: "Lunch", starts_at: at("12:30"), ends_at: at("13:30") },
  { id: 1, label: "Coffee", starts_at: at("10:30"), ends_at: at("10:50") },
];

describe("nextBreak", () => {
  it("gives the break under way and its end", () => {
    expect(nextBreak(breaks, t("10:35"))).toEqual({ state: "now", ends: t("10:50") });
  });
  it("gives the next break, in minutes rounded up", () => {
    expect(nextBreak(breaks, t("10:18") + 30_000)).toEqual({ state: "next", starts: t("10:30"), minutesUntil: 12 });
    expect(nextBreak(breaks, t("10:50"))).toEqual({ state: "next", starts: t("12:30"), minutesUntil: 100 });
  });
  it("says when none is left", () => {
    expect(nextBreak(breaks, t("13:30"))).toBeNull();
    expect(nextBreak([], t("09:00"))).toBeNull();
  });
});
