import { useStore } from "../../app/store";
import type { NetworkingReturn } from "../../data/resources";
import { language, useT } from "../../i18n";
import { formatMoney, pluralOf } from "../../i18n/format";

/** "1 500 € → 12 contacts → 125 € par contact": what the ticket bought, in the person's language. */
export function NetworkingCost({ value }: { value: NetworkingReturn }) {
  const t = useT();
  const lang = useStore(language);
  const { contacts, ticket_price_cents: price, currency, cost_per_contact_cents: cost } = value;
  if (price == null || currency == null || cost == null) return null;
  const key = pluralOf(contacts, lang) === "one" ? "contacts.costOne" : "contacts.costOther";
  return (
    <p class="countdown">
      {t(key, { price: formatMoney(price, currency, lang), n: contacts, cost: formatMoney(cost, currency, lang) })}
    </p>
  );
}
