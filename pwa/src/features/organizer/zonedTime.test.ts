import { describe, expect, it } from "vitest";
import { fromLocalInput, toLocalInput } from "./zonedTime";

describe("times on the venue's clock", () => {
  it("reads a Paris winter and summer time into UTC", () => {
    expect(fromLocalInput("2026-01-15T09:30", "Europe/Paris")).toBe("2026-01-15T08:30:00.000Z");
    expect(fromLocalInput("2026-07-15T09:30", "Europe/Paris")).toBe("2026-07-15T07:30:00.000Z");
    expect(fromLocalInput("2026-07-15T09:30", "America/Montreal")).toBe("2026-07-15T13:30:00.000Z");
  });

  it("shows an instant on the venue's clock, round trip included", () => {
    expect(toLocalInput("2026-07-15T07:30:00Z", "Europe/Paris")).toBe("2026-07-15T09:30");
    expect(toLocalInput("2026-03-29T01:30:00Z", "Europe/Paris")).toBe("2026-03-29T03:30");
    for (const local of ["2026-03-29T03:15", "2026-10-25T04:00", "2026-12-31T23:59"]) {
      expect(toLocalInput(fromLocalInput(local, "Europe/Paris"), "Europe/Paris")).toBe(local);
    }
  });

  it("refuses what is not a date and time", () => {
    expect(() => fromLocalInput("", "Europe/Paris")).toThrow(RangeError);
  });
});
