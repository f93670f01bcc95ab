import { outbox } from "../../app/outbox";
import { followLink } from "../../app/router";
import { useStore } from "../../app/store";
import { useLocalNames } from "../../data/localNames";
import { language, useT } from "../../i18n";
import { formatTime } from "../../i18n/format";
import type { PresenceView } from "./presence";

/** Where I am: the zone and until when, with "I'm leaving"; or the check-in waiting on this phone; or
 * the way to check in. */
export function PresenceCard({ view, timeZone }: { view: PresenceView; timeZone: string | undefined }) {
  const t = useT();
  const lang = useStore(language);
  const names = useLocalNames();
  if (view.state === "pending") return <p class="card">{t("here.pendingCheckin")}</p>;
  if (view.state === "away") {
    return (
      <div class="card stack">
        <p class="lead">{t("here.notCheckedIn")}</p>
        <a class="btn-primary" href="/scan" onClick={followLink}>
          {t("here.scan")}
        </a>
      </div>
    );
  }
  const { zone, expires_at } = view.presence;
  return (
    <div class="card zone-card">
      <p class="lead">
        {t("here.at")} <strong>{names.zone(zone)}</strong>
      </p>
      <p class="hint">{t("here.until", { time: formatTime(Date.parse(expires_at), lang, timeZone) })}</p>
      <button type="button" onClick={() => void outbox.enqueue("leave", {})}>
        {t("here.leave")}
      </button>
    </div>
  );
}
