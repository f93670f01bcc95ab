import { useT } from "../i18n";
import { shownCount, type Dashboard } from "./figures";

/** People in each zone now, and the topics at least three of them follow. */
export function Occupancy({ zones }: { zones: Dashboard["zones"] }) {
  const t = useT();
  return (
    <section class="card" aria-labelledby="live-now">
      <h2 id="live-now">{t("org.live.now")}</h2>
      {zones.length === 0 ? (
        <p>{t("org.live.noZones")}</p>
      ) : (
        <ul class="live-zones">
          {zones.map((z) => (
            <li key={z.zone.id} data-testid="live-zone">
              <span class="live-zone-name">{z.zone.name}</span>
              <strong class="live-zone-count">{shownCount(t, z.people)}</strong>
              {z.top_topics.length > 0 && (
                <span class="hint">
                  {t("org.live.topics", { topics: z.top_topics.map((topic) => `${topic.name} (${topic.people})`).join(", ") })}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
