import { useT } from "../i18n";
import type { Dashboard } from "./figures";

/** Groups of three or more visible people in one zone who follow one topic, now. */
export function Huddles({ huddles }: { huddles: Dashboard["huddles"] }) {
  const t = useT();
  return (
    <section class="card" aria-labelledby="live-huddles">
      <h2 id="live-huddles">{t("org.live.huddles")}</h2>
      <p data-testid="huddles-now">{t("org.live.huddlesNow", { n: huddles.now })}</p>
      {huddles.groups.length > 0 && (
        <ul>
          {huddles.groups.map((g) => (
            <li key={`${g.zone.id}-${g.topic.id}`}>
              {t("org.live.huddle", { topic: g.topic.name, zone: g.zone.name, n: g.people })}
            </li>
          ))}
        </ul>
      )}
      <p class="hint">{t("org.live.huddlesHint")}</p>
    </section>
  );
}
