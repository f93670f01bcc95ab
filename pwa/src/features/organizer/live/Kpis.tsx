import { useStore } from "../../../app/store";
import { language, useT } from "../../../i18n";
import { formatMoney } from "../../../i18n/format";
import { shownCount, type Dashboard } from "./figures";

/** The networking KPIs of the whole event. A ratio built on a masked count is not shown. */
export function Kpis({ kpis }: { kpis: Dashboard["kpis"] }) {
  const t = useT();
  const lang = useStore(language);
  const notShown = t("org.live.notShown");
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const cost =
    kpis.cost_per_contact_cents !== null && kpis.currency
      ? formatMoney(kpis.cost_per_contact_cents, kpis.currency, lang)
      : kpis.ticket_price_cents === null
        ? t("org.live.noPrice")
        : notShown;
  const figures: [string, string][] = [
    [t("org.live.kpi.attendees"), shownCount(t, kpis.attendees)],
    [t("org.live.kpi.withContact"), shownCount(t, kpis.attendees_with_contact)],
    [t("org.live.kpi.share"), kpis.share_with_contact === null ? notShown : percent.format(kpis.share_with_contact)],
    [t("org.live.kpi.contacts"), shownCount(t, kpis.contacts_made)],
    [
      t("org.live.kpi.perAttendee"),
      kpis.contacts_per_attendee === null ? notShown : decimal.format(kpis.contacts_per_attendee),
    ],
    [t("org.live.kpi.cost"), cost],
  ];
  return (
    <section class="card" aria-labelledby="live-kpis">
      <h2 id="live-kpis">{t("org.live.kpis")}</h2>
      <dl class="kpis">
        {figures.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p class="hint">{t("org.live.kpiHint")}</p>
    </section>
  );
}
