import { useStore } from "../../../app/store";
import { language, useT } from "../i18n";
import { formatHour, formatTime } from "../../../i18n/format";
import { countValue, shownCount, type Dashboard } from "./figures";

const BAR_WIDTH = 26;
const GAP = 6;
const HEIGHT = 90;

/** Contacts made per hour of the day, as small bars; the figures themselves are read out as a list. */
export function ContactsChart({ hours, timeZone }: { hours: Dashboard["contacts_per_hour"]; timeZone: string }) {
  const t = useT();
  const lang = useStore(language);
  const most = Math.max(1, ...hours.map((h) => countValue(h.contacts)));
  const width = hours.length * (BAR_WIDTH + GAP);
  return (
    <section class="card" aria-labelledby="live-contacts">
      <h2 id="live-contacts">{t("org.live.contactsPerHour")}</h2>
      <svg class="bars" viewBox={`0 0 ${width} ${HEIGHT + 18}`} width={width} height={HEIGHT + 18} aria-hidden="true"
        focusable="false">
        {hours.map((h, k) => {
          const height = Math.round((countValue(h.contacts) / most) * HEIGHT);
          const x = k * (BAR_WIDTH + GAP);
          return (
            <g key={h.hour}>
              <rect x={x} y={HEIGHT - height} width={BAR_WIDTH} height={height} class="bar" />
              <text x={x + BAR_WIDTH / 2} y={HEIGHT + 14} text-anchor="middle" class="bar-label">
                {formatHour(Date.parse(h.hour), lang, timeZone)}
              </text>
            </g>
          );
        })}
      </svg>
      <p class="hint">{t("org.live.contactsHint")}</p>
      <ul class="visually-hidden">
        {hours.map((h) => (
          <li key={h.hour}>
            {formatTime(Date.parse(h.hour), lang, timeZone)}: {shownCount(t, h.contacts)}
          </li>
        ))}
      </ul>
    </section>
  );
}
