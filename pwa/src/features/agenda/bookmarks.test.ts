import { describe, expect, it } from "vitest";
import type { OutboxItem } from "../../offline/db";
import { bookmarkedIds, openingSlot } from "./bookmarks";

const tap = (kind: string, talk_id: number) => ({ kind, payload: { talk_id } }) as unknown as OutboxItem;

describe("bookmarks on the phone", () => {
  it("apply the taps still waiting, in order, to the server's list", () => {
    expect([...bookmarkedIds([1, 2], [tap("bookmark", 3), tap("unbookmark", 1)])].sort()).toEqual([2, 3]);
    expect([...bookmarkedIds([], [tap("bookmark", 4), tap("unbookmark", 4)])]).toEqual([]);
    expect([...bookmarkedIds([5], [tap("unbookmark", 5), tap("bookmark", 5)])]).toEqual([5]);
  });
});

describe("where the agenda opens", () => {
  const slots = [
    { starts: 0, ends: 10 },
    { starts: 10, ends: 20 },
    { starts: 30, ends: 40 },
  ];
  it("is the slot under way, else the next, else the last", () => {
    expect(openingSlot(slots, 15)).toBe(slots[1]);
    expect(openingSlot(slots, 25)).toBe(slots[2]);
    expect(openingSlot(slots, 50)).toBe(slots[2]);
    expect(openingSlot([], 50)).toBeUndefined();
  });
});
