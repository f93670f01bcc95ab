/** The organizer types times as the venue's clock shows them, whatever the time zone of their own computer. */

const PARTS: Intl.DateTimeFormatOptions = {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
};

/** An instant as a `datetime-local` input value ("2026-03-12T10:30") on the clocks of `timeZone`. */
export function toLocalInput(instant: string | number, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const part of new Intl.DateTimeFormat("en-CA", { ...PARTS, timeZone }).formatToParts(new Date(instant))) {
    parts[part.type] = part.value;
  }
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** How far ahead of UTC the clocks of `timeZone` are at `instant`, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  return Date.parse(`${toLocalInput(instant, timeZone)}:00Z`) - Math.floor(instant / 60_000) * 60_000;
}

/** A `datetime-local` value read on the clocks of `timeZone`, as an ISO instant the API accepts. */
export function fromLocalInput(local: string, timeZone: string): string {
  const wall = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) ? Date.parse(`${local}:00Z`) : NaN;
  if (Number.isNaN(wall)) throw new RangeError(`not a local date and time: ${local}`);
  // The offset at the guess, then again at the corrected guess: right on both sides of a DST change.
  let instant = wall - offsetAt(wall, timeZone);
  instant = wall - offsetAt(instant, timeZone);
  return new Date(instant).toISOString();
}
