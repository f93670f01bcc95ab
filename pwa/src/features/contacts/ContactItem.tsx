import { useState } from "preact/hooks";
import { outbox } from "../../app/outbox";
import { useStore } from "../../app/store";
import type { ContactChange } from "../../data/contacts";
import { useLocalNames } from "../../data/localNames";
import type { Contact } from "../../data/resources";
import { language, useT } from "../../i18n";
import { formatMoment } from "../../i18n/format";
import { ReportPerson } from "../here/ReportPerson";
import { PersonHead } from "../profile/PersonHead";
import { ProposeRendezvous } from "../rendezvous/ProposeRendezvous";
import { exportOneVCard } from "./exports";
import { parseTags } from "./list";

const edit = (id: number, change: ContactChange) => void outbox.enqueue("contactEdit", { id, change });

/** One contact: who, where, when and why we met, how to reach them, and my private note, tags, follow-up. */
export function ContactItem({ contact, timeZone }: { contact: Contact; timeZone: string | undefined }) {
  const t = useT();
  const lang = useStore(language);
  const names = useLocalNames();
  const id = `contact-${contact.id}`;
  const where = contact.zone_name ? `${names.named(contact.zone_name)}, ${contact.event_name}` : contact.event_name;
  return (
    <li class="card person" aria-labelledby={id}>
      <PersonHead person={contact} titleId={id} />
      <p>
        {t(contact.how === "qr" ? "contacts.metQr" : "contacts.metSuggestion", {
          where,
          when: formatMoment(Date.parse(contact.met_at), lang, timeZone),
        })}
      </p>
      {contact.shared_topics.length > 0 && (
        <ul class="topics" aria-label={t("here.sharedTopics")}>
          {contact.shared_topics.map((topic) => (
            <li key={topic}>{names.named(topic)}</li>
          ))}
        </ul>
      )}
      <Reach contact={contact} />
      {contact.tags.length > 0 && <p class="hint">{t("contacts.tagged", { tags: contact.tags.join(", ") })}</p>}
      {contact.note && <p class="note">{contact.note}</p>}
      <div class="switch">
        <input
          id={`${id}-follow`}
          type="checkbox"
          checked={contact.follow_up}
          onChange={(e) => edit(contact.id, { follow_up: e.currentTarget.checked })}
        />
        <label for={`${id}-follow`}>{t("contacts.followUp")}</label>
      </div>
      <details>
        <summary>{t("contacts.edit")}</summary>
        <EditForm contact={contact} />
      </details>
      <button type="button" class="btn-link" onClick={() => void exportOneVCard(contact, lang)}>
        {t("contacts.exportOne", { name: contact.name })}
      </button>
      {/* null once they erased their account: nobody left to report */}
      {contact.other_attendee_id !== null && (
        <ProposeRendezvous attendeeId={contact.other_attendee_id} name={contact.name} />
      )}
      {contact.other_attendee_id !== null && <ReportPerson attendeeId={contact.other_attendee_id} name={contact.name} />}
    </li>
  );
}

function Reach({ contact }: { contact: Contact }) {
  const links = [
    contact.email && { href: `mailto:${contact.email}`, text: contact.email },
    contact.phone && { href: `tel:${contact.phone.replace(/[^+\d]/g, "")}`, text: contact.phone },
    contact.website_url && { href: contact.website_url, text: contact.website_url },
  ].filter((link): link is { href: string; text: string } => Boolean(link));
  if (links.length === 0) return null;
  return (
    <ul class="reach">
      {links.map((link) => (
        <li key={link.href}>
          <a href={link.href} rel="noopener noreferrer">
            {link.text}
          </a>
        </li>
      ))}
    </ul>
  );
}

function EditForm({ contact }: { contact: Contact }) {
  const t = useT();
  const [note, setNote] = useState(contact.note);
  const [tags, setTags] = useState(contact.tags.join(", "));
  const [saved, setSaved] = useState(false);
  const id = `contact-${contact.id}`;
  function save(event: Event) {
    event.preventDefault();
    edit(contact.id, { note, tags: parseTags(tags) });
    setSaved(true);
  }
  return (
    <form class="stack" onSubmit={save}>
      <div class="field">
        <label for={`${id}-note`}>{t("contacts.note")}</label>
        <textarea id={`${id}-note`} value={note} maxLength={2000} rows={3} onInput={(e) => setNote(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for={`${id}-tags`}>{t("contacts.tags")}</label>
        <input
          id={`${id}-tags`}
          value={tags}
          aria-describedby={`${id}-tags-hint`}
          onInput={(e) => setTags(e.currentTarget.value)}
          autoComplete="off"
        />
        <p id={`${id}-tags-hint`} class="hint">
          {t("contacts.tagsHint")}
        </p>
      </div>
      <button type="submit">{t("contacts.save")}</button>
      {saved && (
        <p class="hint" role="status">
          {t("contacts.saved")}
        </p>
      )}
    </form>
  );
}
