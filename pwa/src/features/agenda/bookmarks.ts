import type { OutboxItem } from "../../offline/db";

/** The talks bookmarked: the server's list, with the taps still waiting in the outbox applied in order. */
export function bookmarkedIds(saved: readonly number[], pending: readonly OutboxItem[]): Set<number> {
  const ids = new Set(saved);
  for (const item of pending) {
    const { talk_id } = item.payload as { talk_id: number };
    if (item.kind === "bookmark") ids.add(talk_id);
    if (item.kind === "unbookmark") ids.delete(talk_id);
  }
  return ids;
}

/** Where the agenda opens: the slot under way, else the next one, else the last. */
export function openingSlot<T extends { starts: number; ends: number }>(slots: readonly T[], now: number): T | undefined {
  return slots.find((slot) => slot.ends > now) ?? slots[slots.length - 1];
}
