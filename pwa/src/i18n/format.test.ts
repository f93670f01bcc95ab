import { describe, expect, it } from "vitest";
import { formatMoney, pluralOf } from "./format";

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
