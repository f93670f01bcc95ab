import { useEffect, useState } from "preact/hooks";

/** The current time, refreshed every 30 s: enough for "next break in 12 min". */
export function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
