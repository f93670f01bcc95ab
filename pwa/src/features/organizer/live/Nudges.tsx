import { useState } from "preact/hooks";
import { unwrap } from "../../../api/client";
import { api } from "../../../app/api";
import { useStore } from "../../../app/store";
import { language, useT } from "../i18n";
import { formatTime } from "../../../i18n/format";
import { Confirm } from "../Confirm";
import { shownCount, type Dashboard } from "./figures";

const MOMENT_MINUTES = [5, 10, 15, 30];

/** Nudges sent and opened, per break and hallway moment, and the button that starts a hallway moment. */
export function Nudges({
  eventId,
  nudges,
  timeZone,
  onMoment,
}: { eventId: number; nudges: Dashboard["nudges"]; timeZone: string; onMoment: () => void }) {
  const t = useT();
  const lang = useStore(language);
  const [minutes, setMinutes] = useState(10);
  const [started, setStarted] = useState<string>();
  const time = (at: string) => formatTime(Date.parse(at), lang, timeZone);

  async function start() {
    const moment = await unwrap(
      api.POST("/api/events/{event_id}/hallway-moments", {
        params: { path: { event_id: eventId } },
        body: { minutes, label: t("org.live.momentLabel") },
      }),
    );
    setStarted(t("org.live.momentStarted", { time: time(moment.ends_at) }));
    onMoment();
  }

  return (
    <section class="card" aria-labelledby="live-nudges">
      <h2 id="live-nudges">{t("org.live.nudges")}</h2>
      <p data-testid="nudges-total">
        {t("org.live.nudgesTotal", { sent: shownCount(t, nudges.sent), opened: shownCount(t, nudges.opened) })}
      </p>
      {nudges.occasions.length > 0 && (
        <ul class="org-list occasions">
          {nudges.occasions.map((o) => (
            <li key={`${o.kind}-${o.id}`} data-testid="occasion">
              <strong>{o.label}</strong>{" "}
              <span class="badge">{t(o.kind === "break" ? "org.live.break" : "org.live.moment")}</span>{" "}
              <span class="hint">
                {time(o.starts_at)}–{time(o.ends_at)}
              </span>
              <br />
              {t("org.live.occasionNudges", { sent: shownCount(t, o.sent), opened: shownCount(t, o.opened) })}
            </li>
          ))}
        </ul>
      )}
      <h3>{t("org.live.momentTitle")}</h3>
      <p class="hint">{t("org.live.momentIntro")}</p>
      <label for="moment-minutes">{t("org.live.momentMinutes")}</label>
      <select id="moment-minutes" value={minutes} onChange={(e) => setMinutes(Number(e.currentTarget.value))}>
        {MOMENT_MINUTES.map((m) => (
          <option key={m} value={m}>
            {t("org.live.minutes", { n: m })}
          </option>
        ))}
      </select>
      <div class="row">
        <Confirm
          label={t("org.live.momentStart")}
          warning={t("org.live.momentWarning", { n: minutes })}
          confirmLabel={t("org.live.momentYes")}
          onConfirm={start}
        />
      </div>
      {started && (
        <p role="status">
          {started}
        </p>
      )}
    </section>
  );
}
