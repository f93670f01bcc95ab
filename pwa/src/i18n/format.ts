import type { Lang } from "./index";

/** "14:05" in the event's time zone (or the phone's when none is given). */
export function formatTime(at: number, lang: Lang, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone }).format(at);
}

/** "jeudi 12 mars" / "Thursday, March 12". */
export function formatDay(at: number, lang: Lang, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long", timeZone }).format(at);
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

/** "12 mars, 10:32" / "March 12, 10:32". */
export function formatMoment(at: number, lang: Lang, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone }).format(at);
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
