import type { Schemas } from "../../api/client";
import type { ZoneCount } from "../../data/resources";
import { useLocalNames } from "../../data/localNames";
import { useT, type Translate } from "../../i18n";

type Huddle = Schemas["Huddle"];
type ZoneMatches = Schemas["ZoneMatches"];
type Masked = ZoneCount["people"];

/** Counts under 3 arrive as "fewer than 3": said so, never as a number. */
function people(t: Translate, count: Masked): string {
  return typeof count === "number" ? t("here.people", { n: count }) : t("here.fewerThan3");
}

/** Small groups: "3 people at the coffee bar share Kubernetes". */
export function Huddles({ huddles }: { huddles: Huddle[] }) {
  const t = useT();
  const names = useLocalNames();
  if (huddles.length === 0) return null;
  return (
    <section aria-labelledby="huddles-title">
      <h2 id="huddles-title">{t("here.huddles")}</h2>
      <ul class="plain">
        {huddles.map((huddle) => (
          <li key={`${huddle.zone.id}-${huddle.topic.id}`} class="card">
            <p class="strong">{huddle.line}</p>
            {huddle.neighbouring && <p class="tag-neighbour">{t("here.neighbouring", { zone: names.zone(huddle.zone) })}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Where people who share my topics are: counts only, no names. */
export function WhereToGo({ zones }: { zones: ZoneMatches[] }) {
  const t = useT();
  const names = useLocalNames();
  if (zones.length === 0) return null;
  return (
    <section aria-labelledby="where-title">
      <h2 id="where-title">{t("here.whereToGo")}</h2>
      <p class="hint">{t("here.whereToGoHint")}</p>
      <ul class="counts">
        {zones.map(({ zone, matches }) => (
          <li key={zone.id}>
            <span>{names.zone(zone)}</span>
            <span>{people(t, matches)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** How many are in each zone, and what they talk about (topics shared by 3 or more). */
export function ZoneCounts({ counts }: { counts: ZoneCount[] }) {
  const t = useT();
  const names = useLocalNames();
  if (counts.length === 0) return null;
  return (
    <section aria-labelledby="zones-title">
      <h2 id="zones-title">{t("here.zones")}</h2>
      <ul class="counts">
        {counts.map(({ zone, people: count, top_topics }) => (
          <li key={zone.id}>
            <span>{names.zone(zone)}</span>
            <span>{people(t, count)}</span>
            {top_topics.length > 0 && (
              <span class="hint">{top_topics.map((topic) => `${names.topic(topic)} (${topic.people})`).join(", ")}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
