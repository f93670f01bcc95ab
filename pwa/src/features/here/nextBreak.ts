import type { Agenda } from "../../data/resources";

export type NextBreak =
  | { state: "now"; ends: number }
  | { state: "next"; starts: number; minutesUntil: number }
  | null;

/** The break under way (until when), or the next one (when, and in how many minutes); null when none is left. */
export function nextBreak(breaks: Agenda["breaks"], now: number): NextBreak {
  const spans = breaks
    .map((b) => ({ starts: Date.parse(b.starts_at), ends: Date.parse(b.ends_at) }))
    .sort((a, b) => a.starts - b.starts);
  const current = spans.find((b) => b.starts <= now && now < b.ends);
  if (current) return { state: "now", ends: current.ends };
  const next = spans.find((b) => b.starts > now);
  return next ? { state: "next", starts: next.starts, minutesUntil: Math.ceil((next.starts - now) / 60_000) } : null;
}
