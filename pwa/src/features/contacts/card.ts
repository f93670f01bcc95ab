import type { Contact } from "../../data/resources";
import type { Lang } from "../../i18n";
import type { Card } from "./vcard";

const NOTE = {
  en: { met: (where: string, day: string) => `Met at ${where}, ${day}.`, topics: "Topics: ", followUp: "Follow up" },
  fr: {
    met: (where: string, day: string) => `Rencontré à ${where}, le ${day}.`,
    topics: "Sujets : ",
    followUp: "À recontacter",
  },
} as const;

/** A contact as an address book card, carrying where, when and why we met (as the server's export does). */
export function contactCard(contact: Contact, lang: Lang): Card {
  const words = NOTE[lang];
  const where = contact.zone_name ? `${contact.event_name}, ${contact.zone_name}` : contact.event_name;
  const topics = contact.shared_topics.length ? ` ${words.topics}${contact.shared_topics.join(", ")}.` : "";
  const note = words.met(where, contact.met_at.slice(0, 10)) + topics + (contact.note ? `\n${contact.note}` : "");
  return {
    uid: `couloir-contact-${contact.id}`,
    fullName: contact.name,
    org: contact.company,
    title: contact.headline || null,
    emails: contact.email ? [contact.email] : [],
    phones: contact.phone ? [contact.phone] : [],
    urls: contact.website_url ? [contact.website_url] : [],
    // The event, my tags and the follow-up mark: each becomes a group or label in the address book.
    categories: [contact.event_name, ...contact.tags, ...(contact.follow_up ? [words.followUp] : [])],
    note,
    revision: new Date(contact.met_at),
  };
}
