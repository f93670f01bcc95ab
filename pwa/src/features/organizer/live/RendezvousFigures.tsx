import { useT } from "../i18n";
import { shownCount, type Dashboard } from "./figures";

/** How many rendezvous attendees proposed, agreed and confirmed: counts only, never who. */
export function RendezvousFigures({ rendezvous }: { rendezvous: Dashboard["rendezvous"] }) {
  const t = useT();
  const figures: [string, string][] = [
    [t("org.live.rendezvous.proposed"), shownCount(t, rendezvous.proposed)],
    [t("org.live.rendezvous.accepted"), shownCount(t, rendezvous.accepted)],
    [t("org.live.rendezvous.met"), shownCount(t, rendezvous.met)],
  ];
  return (
    <section class="card" aria-labelledby="live-rendezvous">
      <h2 id="live-rendezvous">{t("org.live.rendezvous")}</h2>
      <dl class="kpis">
        {figures.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p class="hint">{t("org.live.rendezvousHint")}</p>
    </section>
  );
}
