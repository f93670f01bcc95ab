import { unwrap } from "../../../api/client";
import { api } from "../../../app/api";
import { useStore } from "../../../app/store";
import { language, useT } from "../i18n";
import { formatTime } from "../../../i18n/format";
import { errorMessage } from "../../../ui/errors";
import { Alert } from "../../../ui/Screen";
import { useLiveRefresh } from "../../here/useLiveRefresh";
import type { SectionProps } from "../sections";
import { useLoad } from "../useLoad";
import { ContactsChart } from "./ContactsChart";
import { ExportCsv } from "./ExportCsv";
import { Heatmap } from "./Heatmap";
import { RendezvousFigures } from "./RendezvousFigures";
import { Huddles } from "./Huddles";
import { Kpis } from "./Kpis";
import { Nudges } from "./Nudges";
import { Occupancy } from "./Occupancy";
import "./live.css";

/** The live picture of the event: aggregates only, refreshed while the screen is open. */
export function LiveScreen({ event }: SectionProps) {
  const t = useT();
  const lang = useStore(language);
  const picture = useLoad(
    () => unwrap(api.GET("/api/events/{event_id}/dashboard", { params: { path: { event_id: event.id } } })),
    [event.id],
  );
  useLiveRefresh([picture.reload]);

  if (!picture.data) {
    return picture.error === undefined ? (
      <p role="status">{t("common.loading")}</p>
    ) : (
      <Alert text={errorMessage(t, picture.error)} />
    );
  }
  const data = picture.data;
  return (
    <>
      <p class="lead">{t("org.live.intro")}</p>
      <div class="row live-actions">
        <p class="hint" role="status">
          {t("org.live.updated", { time: formatTime(Date.parse(data.generated_at), lang, data.timezone) })}
        </p>
        <button type="button" onClick={picture.reload}>
          {t("org.live.refresh")}
        </button>
        <ExportCsv eventId={event.id} />
      </div>
      {picture.error !== undefined && <Alert text={errorMessage(t, picture.error)} />}
      <Kpis kpis={data.kpis} />
      <Occupancy zones={data.zones} />
      <Heatmap heatmap={data.heatmap} timeZone={data.timezone} />
      <ContactsChart hours={data.contacts_per_hour} timeZone={data.timezone} />
      <Nudges eventId={event.id} nudges={data.nudges} timeZone={data.timezone} onMoment={picture.reload} />
      <Huddles huddles={data.huddles} />
      <RendezvousFigures rendezvous={data.rendezvous} />
    </>
  );
}
