import { describe, expect, it } from "vitest";
import type { Presence } from "../../data/resources";
import type { OutboxItem } from "../../offline/db";
import { presenceView } from "./presence";

const NOW = Date.parse("2026-03-12T10:00:00Z");
const presence: Presence = {
  zone: { id: 1, name: "Coffee bar", kind: "coffee" },
  checked_in_at: "2026-03-12T09:55:00Z",
  expires_at: "2026-03-12T10:15:00Z",
};
const item = (kind: string, createdAt: number): OutboxItem => ({ key: `k${createdAt}`, kind, payload: {}, createdAt, attempts: 0 });

describe("presence as the phone shows it", () => {
  it("is the server's presence until it expires", () => {
    expect(presenceView(presence, [], NOW)).toEqual({ state: "here", presence });
    expect(presenceView(presence, [], Date.parse(presence.expires_at))).toEqual({ state: "away" });
    expect(presenceView(null, [], NOW)).toEqual({ state: "away" });
    expect(presenceView(undefined, [], NOW)).toEqual({ state: "away" });
  });

  it("lets the latest waiting check-in or leave win", () => {
    expect(presenceView(null, [item("checkin", 1)], NOW)).toEqual({ state: "pending" });
    expect(presenceView(presence, [item("leave", 1)], NOW)).toEqual({ state: "away" });
    expect(presenceView(presence, [item("leave", 1), item("checkin", 2)], NOW)).toEqual({ state: "pending" });
    expect(presenceView(presence, [item("checkin", 1), item("profile", 2), item("leave", 3)], NOW)).toEqual({ state: "away" });
    expect(presenceView(presence, [item("profile", 1)], NOW)).toEqual({ state: "here", presence });
  });
});
