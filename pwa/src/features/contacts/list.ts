import type { ContactChange, ContactEdit } from "../../data/contacts";
import type { Contact } from "../../data/resources";
import type { OutboxItem } from "../../offline/db";

/** The contacts as this phone shows them: the last sync, with the edits still waiting to be sent. */
export function withPendingEdits(contacts: readonly Contact[], pending: readonly OutboxItem[]): Contact[] {
  const edits = pending.filter((item) => item.kind === "contactEdit").map((item) => item.payload as ContactEdit);
  return contacts.map((contact) =>
    edits.reduce<Contact>((shown, edit) => (edit.id === shown.id ? { ...shown, ...definedOnly(edit.change) } : shown), contact),
  );
}

function definedOnly(change: ContactChange): Partial<Contact> {
  const out: Partial<Contact> = {};
  if (change.note != null) out.note = change.note;
  if (change.tags != null) out.tags = change.tags;
  if (change.follow_up != null) out.follow_up = change.follow_up;
  return out;
}

/** Every tag in use, for the filter chips. */
export function tagsOf(contacts: readonly Contact[]): string[] {
  return [...new Set(contacts.flatMap((c) => c.tags))].sort((a, b) => a.localeCompare(b));
}

/** "conference, lead , conference" → ["conference", "lead"]. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(",").map((tag) => tag.trim()).filter(Boolean))].map((tag) => tag.slice(0, 40)).slice(0, 20);
}

export type Filter = { kind: "all" } | { kind: "followUp" } | { kind: "tag"; tag: string };

export function filtered(contacts: readonly Contact[], filter: Filter): Contact[] {
  if (filter.kind === "followUp") return contacts.filter((c) => c.follow_up);
  if (filter.kind === "tag") return contacts.filter((c) => c.tags.includes(filter.tag));
  return [...contacts];
}
