import { useStore } from "../../app/store";
import type { NetworkingReturn } from "../../data/resources";
import { language, useT } from "../../i18n";
import { formatMoney, pluralOf } from "../../i18n/format";

/** My own summary under my contacts: how many I made, and, when the event set a ticket price, what each
 * cost so far — a small line for me, not a figure for the organizers. */
export function ContactsSummary({ value }: { value: NetworkingReturn }) {
  const t = useT();
  const lang = useStore(language);
  const { contacts, ticket_price_cents: price, currency, cost_per_contact_cents: cost } = value;
  const count = t(pluralOf(contacts, lang) === "one" ? "contacts.summaryOne" : "contacts.summaryOther", { n: contacts });
  const paid = price != null && currency != null && cost != null;
  return (
    <p class="hint">
      {count}
      {paid && ` ${t("contacts.costHint", { price: formatMoney(price, currency, lang), cost: formatMoney(cost, currency, lang) })}`}
    </p>
  );
}
