/** When to try again after the server said "not now" (503 or 429, with Retry-After) or could not be reached:
 * never before Retry-After, longer after each failure in a row, and spread at random so that a venue's phones
 * refused together do not all come back in the same second. */

export const MAX_BACKOFF_MS = 5 * 60_000;
/** Up to half again as long, at random. */
const JITTER = 0.5;

/** Retry-After as milliseconds from `now`: seconds, or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface BackoffOptions {
  /** The wait after the first failure; doubled after each one after. */
  baseMs: number;
  maxMs?: number;
  /** What the server asked for, if it did. */
  retryAfterMs?: number;
  random?: () => number;
}

/** The wait before attempt `failures + 1`, after `failures` (1 or more) failures in a row. */
export function backoffDelay(failures: number, options: BackoffOptions): number {
  const { baseMs, maxMs = MAX_BACKOFF_MS, retryAfterMs: asked = 0, random = Math.random } = options;
  const grown = Math.min(baseMs * 2 ** Math.max(0, failures - 1), maxMs);
  return Math.round(Math.max(asked, grown) * (1 + JITTER * random()));
}
