import { describe, expect, it } from "vitest";
import { translate } from "../i18n";
import { countValue, heatLevel, shownCount } from "./figures";

const t = (key: Parameters<typeof translate>[1]) => translate("en", key);

describe("live figures", () => {
  it("shows masked counts as words, never as a number", () => {
    expect(shownCount(t, "fewer than 3")).toBe("Fewer than 3");
    expect(shownCount(t, 3)).toBe("3");
    expect(countValue("fewer than 3")).toBe(0);
  });

  it("colours cells by their share of the busiest, masked ones blank", () => {
    expect(heatLevel("fewer than 3", 12)).toBe(0);
    expect(heatLevel(3, 12)).toBe(2);
    expect(heatLevel(12, 12)).toBe(5);
    expect(heatLevel(4, 0)).toBe(0);
  });
});

describe("chart axes", () => {
  it("labels full hours on the venue's clock, half-hour offsets included", async () => {
    const { formatHour, isFullHour } = await import("../../../i18n/format");
    const nineParis = Date.parse("2026-03-12T08:00:00Z");
    expect(isFullHour(nineParis, "Europe/Paris")).toBe(true);
    expect(formatHour(nineParis, "en", "Europe/Paris")).toBe("09");
    expect(isFullHour(nineParis, "Asia/Kolkata")).toBe(false); // 13:30 there
    expect(isFullHour(Date.parse("2026-03-12T08:30:00Z"), "Asia/Kolkata")).toBe(true);
  });
});
