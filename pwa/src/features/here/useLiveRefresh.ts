import { useEffect, useRef } from "preact/hooks";
import { backoffDelay } from "../../offline/backoff";

export const REFRESH_MS = 30_000;

export interface Pace {
  /** Fetches in a row that found nothing changed (304). */
  unchanged: number;
  /** Fetches in a row that failed (a 503 when the service is saturated, a 429, the network). */
  failures: number;
  retryAfterMs?: number;
  /** Minutes left in the break under way; undefined outside breaks. */
  breakMinutesLeft?: number;
}

/** The wait before the next refresh: 30 s in a break, stretched to 60 s while nothing changes, when the
 * break is about to end or outside breaks; after a failure, backing off (never before Retry-After); always
 * spread a little at random, so that phones that checked in together do not ask together. */
export function refreshDelay(pace: Pace, random: () => number = Math.random): number {
  if (pace.failures > 0) {
    return backoffDelay(pace.failures, { baseMs: REFRESH_MS, retryAfterMs: pace.retryAfterMs, random });
  }
  let wait = REFRESH_MS * (1 + 0.5 * Math.min(pace.unchanged, 2));
  if (pace.breakMinutesLeft === undefined || pace.breakMinutesLeft <= 2) wait = Math.max(wait, 2 * REFRESH_MS);
  return Math.round(wait * (0.9 + 0.2 * random()));
}

/** Refreshes what the screen shows while it is open, at the pace `delay` says before each refresh, and when
 * the app comes back to the foreground; never while offline or hidden (no wasted battery, no error flashes). */
export function useLiveRefresh(reloads: (() => void)[], delay: () => number = () => REFRESH_MS): void {
  const nextDelay = useRef(delay);
  nextDelay.current = delay;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      if (!navigator.onLine || document.visibilityState !== "visible") return;
      for (const reload of reloads) reload();
    };
    // The pace is read as each round is sent: it follows how the rounds before it went.
    const tick = () => {
      refresh();
      timer = setTimeout(tick, nextDelay.current());
    };
    const onVisible = () => document.visibilityState === "visible" && refresh();
    timer = setTimeout(tick, nextDelay.current());
    window.addEventListener("focus", refresh);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("focus", refresh);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, reloads);
}
