import { describe, expect, it } from "vitest";
import { backoffDelay, MAX_BACKOFF_MS, retryAfterMs } from "./backoff";

describe("backoff", () => {
  it("reads Retry-After as seconds or as a date", () => {
    const now = Date.parse("2026-12-07T10:00:00Z");
    expect(retryAfterMs("2", now)).toBe(2_000);
    expect(retryAfterMs("Mon, 07 Dec 2026 10:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Mon, 07 Dec 2026 09:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
  });

  it("doubles after each failure in a row, up to a cap", () => {
    const fixed = { baseMs: 1_000, random: () => 0 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, fixed))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelay(30, fixed)).toBe(MAX_BACKOFF_MS);
  });

  it("never comes back before Retry-After", () => {
    expect(backoffDelay(1, { baseMs: 1_000, retryAfterMs: 20_000, random: () => 0 })).toBe(20_000);
    expect(backoffDelay(6, { baseMs: 1_000, retryAfterMs: 2_000, random: () => 0 })).toBe(32_000);
  });

  it("spreads phones refused together over half again as long", () => {
    const waits = [0, 0.25, 0.5, 0.999].map((r) => backoffDelay(1, { baseMs: 10_000, random: () => r }));
    expect(waits).toEqual([10_000, 11_250, 12_500, 14_995]);
    expect(new Set(waits).size).toBe(waits.length);
  });
});
