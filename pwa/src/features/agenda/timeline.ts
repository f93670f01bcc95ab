import type { Agenda } from "../../data/resources";

export type Slot =
  | {
      kind: "talk";
      id: number;
      title: string;
      abstract: string;
      room: string;
      speakers: string[];
      starts: number;
      ends: number;
    }
  | { kind: "break"; id: number; label: string; starts: number; ends: number };

/** Talks and breaks in one list, in time order. */
export function timeline(agenda: Agenda): Slot[] {
  const talks: Slot[] = agenda.talks.map((t) => ({
    kind: "talk",
    id: t.id,
    title: t.title,
    abstract: t.abstract,
    room: t.room,
    speakers: t.speakers.map((s) => s.display_name),
    starts: Date.parse(t.starts_at),
    ends: Date.parse(t.ends_at),
  }));
  const breaks: Slot[] = agenda.breaks.map((b) => ({
    kind: "break",
    id: b.id,
    label: b.label,
    starts: Date.parse(b.starts_at),
    ends: Date.parse(b.ends_at),
  }));
  return [...talks, ...breaks].sort((a, b) => a.starts - b.starts || a.ends - b.ends);
}

export type BreakStatus = { state: "now"; minutesLeft: number } | { state: "next"; minutesUntil: number } | null;

/** "Break now: 8 min left", or "next break in 12 min", or null when no break is left. */
export function breakStatus(breaks: Agenda["breaks"], now: number): BreakStatus {
  const spans = breaks
    .map((b) => ({ starts: Date.parse(b.starts_at), ends: Date.parse(b.ends_at) }))
    .sort((a, b) => a.starts - b.starts);
  const current = spans.find((b) => b.starts <= now && now < b.ends);
  if (current) return { state: "now", minutesLeft: Math.ceil((current.ends - now) / 60_000) };
  const next = spans.find((b) => b.starts > now);
  if (next) return { state: "next", minutesUntil: Math.ceil((next.starts - now) / 60_000) };
  return null;
}
