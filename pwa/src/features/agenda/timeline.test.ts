import { describe, expect, it } from "vitest";
import type { Agenda } from "../../data/resources";
import { breakStatus, timeline } from "./timeline";

const at = (hhmm: string) => `2026-03-12T${hhmm}:00+01:00`;
const t = (hhmm: string) => Date.parse(at(hhmm));

const agenda: Agenda = {
  talks: [
    {
      id: 1,
      title: "eBPF in production",
      abstract: "",
      room: "A",
      starts_at: at("11:00"),
      ends_at: at("11:45"),
      topic_ids: [],
      speakers: [{ id: 9, display_name: "Ana" }],
    },
    { id: 2, title: "Keynote", abstract: "", room: "A", starts_at: at("09:00"), ends_at: at("10:00"), topic_ids: [], speakers: [] },
  ],
  breaks: [
    { id: 3, label: "Lunch", starts_at: at("12:00"), ends_at: at("13:30") },
    { id: 4, label: "Coffee", starts_at: at("10:00"), ends_at: at("10:30") },
  ],
};

describe("agenda timeline", () => {
  it("merges talks and breaks in time order", () => {
    expect(timeline(agenda).map((s) => [s.kind, s.id])).toEqual([
      ["talk", 2],
      ["break", 4],
      ["talk", 1],
      ["break", 3],
    ]);
  });

  it("says when the next break starts, rounding up", () => {
    expect(breakStatus(agenda.breaks, t("09:48") + 30_000)).toEqual({ state: "next", minutesUntil: 12 });
    expect(breakStatus(agenda.breaks, t("11:00"))).toEqual({ state: "next", minutesUntil: 60 });
  });

  it("says how long the current break lasts", () => {
    expect(breakStatus(agenda.breaks, t("10:22"))).toEqual({ state: "now", minutesLeft: 8 });
    expect(breakStatus(agenda.breaks, t("10:30"))).toEqual({ state: "next", minutesUntil: 90 });
  });

  it("has nothing to say after the last break", () => {
    expect(breakStatus(agenda.breaks, t("13:30"))).toBeNull();
    expect(breakStatus([], t("09:00"))).toBeNull();
  });
});
