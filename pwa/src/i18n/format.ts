import type { Lang } from "./index";

/** The convention times and dates are written in: French, and British English for "en". Both use a 24-hour
 * clock, like the venue's signs, the printed programme and the lines the server writes (icebreakers,
 * notifications), whatever the phone's own region: a phone set to en-US would otherwise show "4:55 PM"
 * beside "starts at 16:55". */
export function localeOf(lang: Lang): string {
  return lang === "fr" ? "fr-FR" : "en-GB";
}

const CLOCK = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } as const;

/** "16:55" in the event's time zone (the phone's only when the event is not known yet). */
export function formatTime(at: number, lang: Lang, timeZone?: string): string {
  return new Intl.DateTimeFormat(localeOf(lang), { ...CLOCK, timeZone }).format(at);
}

/** "16:55–17:35": a slot of the agenda, in the event's time zone. */
export function formatTimeRange(starts: number, ends: number, lang: Lang, timeZone?: string): string {
  return `${formatTime(starts, lang, timeZone)}–${formatTime(ends, lang, timeZone)}`;
}

/** "jeudi 12 mars" / "Thursday 12 March". */
export function formatDay(at: number, lang: Lang, timeZone?: string): string {
  return new Intl.DateTimeFormat(localeOf(lang), { weekday: "long", day: "numeric", month: "long", timeZone }).format(
    at,
  );
}

/** "one" or "other", the way the language counts (French says "1 contact", "0 contact"). */
export function pluralOf(n: number, lang: Lang): "one" | "other" {
  return new Intl.PluralRules(lang).select(n) === "one" ? "one" : "other";
}

/** "1 500 €" / "€1,500": cents in the event's currency, without decimals when they are zero. */
export function formatMoney(cents: number, currency: string, lang: Lang): string {
  const whole = cents % 100 === 0;
  return new Intl.NumberFormat(lang, {
    style: "currency",
    currency,
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: whole ? 0 : 2,
  }).format(cents / 100);
}

/** "12 mars à 10:32" / "12 March at 10:32". */
export function formatMoment(at: number, lang: Lang, timeZone?: string): string {
  return new Intl.DateTimeFormat(localeOf(lang), { day: "numeric", month: "long", ...CLOCK, timeZone }).format(at);
}

/** "09", "14": the hour alone on a 24-hour clock, for a chart's axis. */
export function formatHour(at: number, lang: Lang, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, { hour: "2-digit", hourCycle: "h23", timeZone }).format(at);
}

/** True at a full hour on the clock of `timeZone` (half-hour offsets included). */
export function isFullHour(at: number, timeZone?: string): boolean {
  const clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
  return clock.format(at).endsWith(":00");
}
