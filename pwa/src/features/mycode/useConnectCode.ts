import { useEffect, useState } from "preact/hooks";
import { unwrap, type Schemas } from "../../api/client";
import { api } from "../../app/api";

export type ConnectCode = Schemas["ConnectCodePublic"];

/** A code lives 3 minutes on the server: a new one is shown well before, whatever the phone's clock says. */
export const ROTATE_MS = 150_000;

/** My personal connect code, renewed before it expires while the screen is shown; none offline (a code
 * is made by the server, and an old one would not work). */
export function useConnectCode(): { code?: ConnectCode; failed: boolean } {
  const [code, setCode] = useState<ConnectCode>();
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const renew = () => {
      clearTimeout(timer);
      if (document.visibilityState !== "visible") return; // renewed when shown again
      unwrap(api.POST("/api/me/connect-code"))
        .then((fresh) => {
          if (!live) return;
          setCode(fresh);
          setFailed(false);
          timer = setTimeout(renew, ROTATE_MS);
        })
        .catch(() => {
          if (!live) return;
          setCode(undefined); // an expired code must not stay on screen
          setFailed(true);
        });
    };
    const onVisible = () => document.visibilityState === "visible" && renew();
    renew();
    window.addEventListener("online", renew);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      live = false;
      clearTimeout(timer);
      window.removeEventListener("online", renew);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, []);

  return { code, failed };
}
