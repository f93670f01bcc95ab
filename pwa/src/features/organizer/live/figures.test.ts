import { describe, expect, it } from "vitest";
import { translate } from "../../../i18n";
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
