import { useEffect, useState } from "preact/hooks";
import { useT } from "../i18n";
import { useOutbox } from "./outbox";

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return online;
}

/** Offline, and what waits to be sent: the person always knows nothing is lost. */
export function StatusBar() {
  const t = useT();
  const online = useOnline();
  const { pending } = useOutbox();
  if (online && pending === 0) return null;
  return (
    <div class="statusbar" role="status">
      {!online && <span>{t("status.offline")}</span>}
      {pending > 0 && <span class="pending">{t("status.pending", { n: pending })}</span>}
    </div>
  );
}
