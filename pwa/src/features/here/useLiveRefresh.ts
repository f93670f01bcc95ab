import { useEffect } from "preact/hooks";

export const REFRESH_MS = 30_000;

/** Refreshes what the screen shows while it is open: every 30 s, and when the app comes back to the
 * foreground; never while offline or hidden (no wasted battery, no error flashes). */
export function useLiveRefresh(reloads: (() => void)[], every = REFRESH_MS): void {
  useEffect(() => {
    const refresh = () => {
      if (!navigator.onLine || document.visibilityState !== "visible") return;
      for (const reload of reloads) reload();
    };
    const onVisible = () => document.visibilityState === "visible" && refresh();
    const timer = setInterval(refresh, every);
    window.addEventListener("focus", refresh);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(timer);
      window.removeEventListener("focus", refresh);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, reloads);
}
