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
