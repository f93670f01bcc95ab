import { describe, expect, it } from "vitest";
import { REFRESH_MS, refreshDelay } from "./useLiveRefresh";

const inBreak = { unchanged: 0, failures: 0, breakMinutesLeft: 10 };
const middle = () => 0.5;

describe("refresh pace", () => {
  it("asks every 30 s in a break, a little earlier or later at random", () => {
    expect(refreshDelay(inBreak, middle)).toBe(REFRESH_MS);
    expect(refreshDelay(inBreak, () => 0)).toBe(27_000);
    expect(refreshDelay(inBreak, () => 1)).toBe(33_000);
  });

  it("slows to a minute while nothing changes, and comes back at once when something does", () => {
    const paces = [1, 2, 5, 0].map((unchanged) => refreshDelay({ ...inBreak, unchanged }, middle));
    expect(paces).toEqual([45_000, 60_000, 60_000, 30_000]);
  });

  it("asks once a minute outside breaks and as the break ends", () => {
    expect(refreshDelay({ unchanged: 0, failures: 0 }, middle)).toBe(60_000);
    expect(refreshDelay({ ...inBreak, breakMinutesLeft: 2 }, middle)).toBe(60_000);
  });

  it("backs off after refusals, never before Retry-After", () => {
    const refused = { ...inBreak, failures: 1, retryAfterMs: 120_000 };
    expect(refreshDelay(refused, () => 0)).toBe(120_000);
    expect(refreshDelay({ ...inBreak, failures: 3 }, () => 0)).toBe(120_000);
    expect(refreshDelay({ ...inBreak, failures: 3 }, () => 1)).toBe(180_000);
  });
});
