import { useStore } from "../../../app/store";
import { language, useT } from "../i18n";
import { formatMoney } from "../../../i18n/format";
import { shownCount, type Dashboard } from "./figures";

/** The networking KPIs of the whole event. A ratio built on a masked count is not shown. */
export function Kpis({ kpis }: { kpis: Dashboard["kpis"] }) {
  const t = useT();
  const lang = useStore(language);
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const cost =
    kpis.cost_per_contact_cents !== null && kpis.currency
      ? formatMoney(kpis.cost_per_contact_cents, kpis.currency, lang)
      : null;
  // A figure, or null with the words saying why there is none.
  const figures: [string, string | null, string?][] = [
    [t("org.live.kpi.attendees"), shownCount(t, kpis.attendees)],
    [t("org.live.kpi.withContact"), shownCount(t, kpis.attendees_with_contact)],
    [t("org.live.kpi.share"), kpis.share_with_contact === null ? null : percent.format(kpis.share_with_contact)],
    [t("org.live.kpi.contacts"), shownCount(t, kpis.contacts_made)],
    [
      t("org.live.kpi.perAttendee"),
      kpis.contacts_per_attendee === null ? null : decimal.format(kpis.contacts_per_attendee),
    ],
    [t("org.live.kpi.cost"), cost, kpis.ticket_price_cents === null ? t("org.live.noPrice") : undefined],
  ];
  return (
    <section class="card" aria-labelledby="live-kpis">
      <h2 id="live-kpis">{t("org.live.kpis")}</h2>
      <dl class="kpis">
        {figures.map(([label, value, why]) => (
          <div key={label}>
            <dt>{label}</dt>
            {value === null ? <dd class="kpi-none">{why ?? t("org.live.notShown")}</dd> : <dd>{value}</dd>}
          </div>
        ))}
      </dl>
      <p class="hint">{t("org.live.kpiHint")}</p>
    </section>
  );
}
