import { useState } from "preact/hooks";
import { usePending } from "../../app/outbox";
import { useResource } from "../../data/resources";
import { useT } from "../../i18n";
import { Screen } from "../../ui/Screen";
import { Stale } from "../../ui/Stale";
import { useLiveRefresh } from "../here/useLiveRefresh";
import { ContactItem } from "./ContactItem";
import { ContactsSummary } from "./ContactsSummary";
import { ExportButtons } from "./ExportButtons";
import { filtered, tagsOf, withPendingEdits, type Filter } from "./list";
import { Requests } from "./Requests";

/** The people I met, with the context of each meeting; requests to answer; exports that work offline. */
export default function ContactsScreen() {
  const t = useT();
  const contacts = useResource("contacts");
  const requests = useResource("requests");
  const networking = useResource("networking");
  const timeZone = useResource("event").data?.timezone;
  const pending = usePending("contactEdit", "accept", "decline", "declineAndBlock", "connectScan");
  const [filter, setFilter] = useState<Filter>({ kind: "all" });
  useLiveRefresh([requests.reload, contacts.reload]);

  const all = withPendingEdits(contacts.data ?? [], pending);
  const shown = filtered(all, filter);
  const answered = new Set(
    pending
      .filter((i) => i.kind === "accept" || i.kind === "decline" || i.kind === "declineAndBlock")
      .map((i) => (i.payload as { request_id: number }).request_id),
  );
  // Requests and contacts reload separately after an accept: whoever is a contact already has no request waiting.
  const contactIds = new Set(all.map((contact) => contact.other_attendee_id));
  const scansWaiting = pending.filter((i) => i.kind === "connectScan").length;

  return (
    <Screen title={t("contacts.title")}>
      {requests.data && <Requests requests={requests.data} answered={answered} contactIds={contactIds} />}
      {scansWaiting > 0 && <p class="card">{t("contacts.scanWaiting", { n: scansWaiting })}</p>}
      {contacts.error && <Stale savedAt={contacts.savedAt} timeZone={timeZone} />}
      {!contacts.data && contacts.loading && <p>{t("common.loading")}</p>}
      {contacts.data && all.length === 0 && <p class="lead">{t("contacts.empty")}</p>}
      {all.length > 0 && (
        <>
          <h2 id="list-title">{t("contacts.list")}</h2>
          {networking.data && <ContactsSummary value={networking.data} />}
          <FilterChips tags={tagsOf(all)} filter={filter} onChange={setFilter} />
          <ul class="plain" aria-labelledby="list-title">
            {shown.map((contact) => (
              <ContactItem key={contact.id} contact={contact} timeZone={timeZone} />
            ))}
          </ul>
          <ExportButtons contacts={all} />
        </>
      )}
    </Screen>
  );
}

function FilterChips({ tags, filter, onChange }: { tags: string[]; filter: Filter; onChange: (filter: Filter) => void }) {
  const t = useT();
  const options: { filter: Filter; label: string }[] = [
    { filter: { kind: "all" }, label: t("contacts.all") },
    { filter: { kind: "followUp" }, label: t("contacts.toFollowUp") },
    ...tags.map((tag) => ({ filter: { kind: "tag", tag } as Filter, label: tag })),
  ];
  const same = (a: Filter, b: Filter) => a.kind === b.kind && (a.kind !== "tag" || (b.kind === "tag" && a.tag === b.tag));
  return (
    <ul class="chips" aria-label={t("contacts.filter")}>
      {options.map((option) => (
        <li key={option.label + option.filter.kind}>
          <button type="button" class="chip" aria-pressed={same(option.filter, filter)} onClick={() => onChange(option.filter)}>
            {option.label}
          </button>
        </li>
      ))}
    </ul>
  );
}
