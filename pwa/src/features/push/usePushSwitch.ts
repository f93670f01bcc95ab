import { useEffect, useState } from "preact/hooks";
import { deviceSubscribed, pushSupport, subscribeThisDevice } from "./push";

/** Where the notifications switch of this phone stands. Every tap ends in one of the settled states within
 * a few seconds: on (or on and waiting for the network), refused by the browser, not possible here, failed. */
export type PushState =
  | "checking"
  | "off"
  | "working"
  | "on"
  | "pending"
  | "denied"
  | "unsupported"
  | "install-first"
  | "failed";

/** The switch's state from the browser and the person's saved choice (`enabled`); `turnOn` must run from a
 * tap (iOS asks permission only then); `setEnabled` records the choice on the server. */
export function usePushSwitch(enabled: boolean | undefined, setEnabled: (on: boolean) => void) {
  const support = pushSupport();
  const [state, setState] = useState<PushState>(support === "ok" ? "checking" : support);

  useEffect(() => {
    if (support !== "ok" || enabled === undefined) return;
    let live = true;
    void deviceSubscribed().then((subscribed) => {
      if (!live) return;
      setState((now) => {
        if (now !== "checking" && now !== "off" && now !== "on") return now; // a tap's answer stays
        if (Notification.permission === "denied") return "denied";
        return enabled && subscribed ? "on" : "off";
      });
    });
    return () => {
      live = false;
    };
  }, [enabled]);

  async function turnOn() {
    setState("working");
    const result = await subscribeThisDevice();
    if (result === "subscribed" || result === "pending") setEnabled(true);
    setState(result === "subscribed" ? "on" : result);
  }

  function turnOff() {
    setEnabled(false);
    setState("off");
  }

  return { state, turnOn, turnOff };
}
