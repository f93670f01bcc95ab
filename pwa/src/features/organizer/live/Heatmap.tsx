import { useStore } from "../../../app/store";
import { language, useT } from "../i18n";
import { formatHour, formatTime, isFullHour } from "../../../i18n/format";
import { countValue, heatLevel, shownCount, type Dashboard } from "./figures";

/** Occupancy per zone over the day: a grid of coloured cells, stronger where more people were. It is a
 * table underneath, so a screen reader reads each figure with its zone and time. */
export function Heatmap({ heatmap, timeZone }: { heatmap: Dashboard["heatmap"]; timeZone: string }) {
  const t = useT();
  const lang = useStore(language);
  const busiest = Math.max(0, ...heatmap.rows.flatMap((row) => row.people.map(countValue)));
  const times = heatmap.slots.map((slot) => formatTime(Date.parse(slot), lang, timeZone));
  return (
    <section class="card" aria-labelledby="live-heatmap">
      <h2 id="live-heatmap">{t("org.live.heatmap")}</h2>
      <p class="hint">{t("org.live.heatmapHint", { minutes: heatmap.slot_minutes })}</p>
      <div class="heatmap-scroll" tabIndex={0} aria-labelledby="live-heatmap">
        <table class="heatmap">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">{t("org.live.zone")}</span>
              </th>
              {heatmap.slots.map((slot, k) => (
                <th scope="col" key={slot} class="heatmap-time">
                  <span class="visually-hidden">{times[k]}</span>
                  {isFullHour(Date.parse(slot), timeZone) && (
                    <span class="tick" aria-hidden="true">
                      {formatHour(Date.parse(slot), lang, timeZone)}
                    </span>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {heatmap.rows.map((row) => (
              <tr key={row.zone.id}>
                <th scope="row">{row.zone.name}</th>
                {row.people.map((count, k) => (
                  <td key={heatmap.slots[k]} class={`heat heat-${heatLevel(count, busiest)}`}
                    title={`${row.zone.name}, ${times[k]}: ${shownCount(t, count)}`}>
                    <span class="visually-hidden">{shownCount(t, count)}</span>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="hint heat-legend" aria-hidden="true">
        <span class="heat heat-0" /> {t("org.live.legendNone")} <span class="heat heat-5" /> {t("org.live.legendMost", { n: busiest })}
      </p>
    </section>
  );
}
