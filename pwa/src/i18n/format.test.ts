import { describe, expect, it } from "vitest";
import { formatDay, formatMoment, formatMoney, formatTime, formatTimeRange, pluralOf } from "./format";

// Intl puts no-break spaces (U+00A0, U+202F) where French writes them: compare with plain spaces.
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

describe("formatting per language", () => {
  it("writes money the way each language does", () => {
    expect(plain(formatMoney(150_000, "EUR", "fr"))).toBe("1 500 €");
    expect(formatMoney(150_000, "EUR", "en")).toBe("€1,500");
    expect(plain(formatMoney(12_550, "EUR", "fr"))).toBe("125,50 €");
    expect(formatMoney(12_550, "USD", "en")).toBe("$125.50");
  });

  it("counts like the language", () => {
    expect(pluralOf(1, "en")).toBe("one");
    expect(pluralOf(0, "en")).toBe("other");
    expect(pluralOf(0, "fr")).toBe("one");
    expect(pluralOf(12, "fr")).toBe("other");
  });
});

describe("times", () => {
  // 15:55 UTC on a March day: 16:55 in Paris, 11:55 in New York.
  const at = Date.parse("2026-03-12T15:55:00Z");

  it("are written on a 24-hour clock in the event's time zone, in both languages", () => {
    expect(formatTime(at, "fr", "Europe/Paris")).toBe("16:55");
    expect(formatTime(at, "en", "Europe/Paris")).toBe("16:55");
    expect(formatTime(at, "en", "America/New_York")).toBe("11:55");
    expect(formatTimeRange(at, at + 40 * 60_000, "en", "Europe/Paris")).toBe("16:55–17:35");
  });

  it("name the day and the moment the way each language does", () => {
    expect(formatDay(at, "fr", "Europe/Paris")).toBe("jeudi 12 mars");
    expect(formatDay(at, "en", "Europe/Paris")).toBe("Thursday 12 March");
    expect(plain(formatMoment(at, "en", "Europe/Paris"))).toBe("12 March at 16:55");
    expect(plain(formatMoment(at, "fr", "Europe/Paris"))).toBe("12 mars à 16:55");
  });
});
