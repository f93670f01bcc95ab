/** Google Contacts and Outlook CSV, written on the phone so the export works offline from the last sync.
 * It writes what the server's export writes (api/contacts/vcard.py, render_csv): the same columns, the
 * same cells, RFC 4180 quoting with CRLF; the Outlook file starts with a UTF-8 BOM. A parity test
 * (csv.test.ts) holds both to one fixture the server renders. */
import { nameParts, type Card } from "./vcard";

export type CsvFlavour = "google" | "outlook";

const CRLF = "\r\n";
// Controls other than tab and line feed: nothing an address book wants.
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

function clean(value: string | null | undefined): string | undefined {
  if (value == null) return undefined;
  const text = value.replace(/\r\n?/g, "\n").replace(CONTROLS, "");
  return text.trim() ? text : undefined;
}

const present = (values: readonly string[] | undefined) =>
  (values ?? []).map(clean).filter((v): v is string => v !== undefined).map((v) => v.trim());

// What a spreadsheet would run (OWASP "CSV injection"), as the server decides it (api/contacts/vcard.py):
// "=" past any leading whitespace, or "+", "-", "@" followed by a call "(", a DDE "|" or a reference "!".
// Such a cell gets a leading apostrophe; "@Home", "-Jean" or "+33 6 12 34 56 78" are left as given.
const FORMULA = /^\s*(=|[-+@][\s\S]*[(|!])/;
const INERT_PHONE = /^\+[0-9 ().\-/]+$/;

function cell(value: string | null | undefined, phone = false): string {
  const text = clean(value) ?? "";
  return FORMULA.test(text) && !(phone && INERT_PHONE.test(text)) ? `'${text}` : text;
}

/** Exactly `count` cells: the first values, padded with blanks. */
const slots = (values: readonly string[], count: number) =>
  [...values, ...Array<string>(count).fill("")].slice(0, count);

function googleRows(cards: readonly Card[]): string[][] {
  const emails = cards.map((c) => present(c.emails));
  const phones = cards.map((c) => present(c.phones));
  const urls = cards.map((c) => present(c.urls));
  const most = (lists: string[][]) => Math.max(0, ...lists.map((l) => l.length)) || 1;
  const [nEmail, nPhone, nUrl] = [most(emails), most(phones), most(urls)];
  const header = ["First Name", "Last Name", "Organization Name", "Organization Title", "Notes", "Labels"];
  for (let i = 1; i <= nEmail; i++) header.push(`E-mail ${i} - Label`, `E-mail ${i} - Value`);
  for (let i = 1; i <= nPhone; i++) header.push(`Phone ${i} - Label`, `Phone ${i} - Value`);
  for (let i = 1; i <= nUrl; i++) header.push(`Website ${i} - Label`, `Website ${i} - Value`);
  const rows = cards.map((card, i) => {
    const [family, given] = nameParts(card.fullName);
    const row = [
      cell(given),
      cell(family),
      cell(card.org),
      cell(card.title),
      cell(card.note),
      // Google's multi-value separator; each label becomes a contact group.
      cell(present(card.categories).join(" ::: ")),
    ];
    for (const email of slots(emails[i]!, nEmail)) row.push("", cell(email));
    for (const number of slots(phones[i]!, nPhone)) row.push(number ? "Mobile" : "", cell(number, true));
    for (const url of slots(urls[i]!, nUrl)) row.push("", cell(url));
    return row;
  });
  return [header, ...rows];
}

// Outlook imports fixed slots; what does not fit goes to Notes rather than being dropped.
const OUTLOOK_EMAILS = 3;
const OUTLOOK_PHONES = 2;
const OUTLOOK_HEADER = [
  "Title",
  "First Name",
  "Last Name",
  "Company",
  "Job Title",
  "E-mail Address",
  "E-mail 2 Address",
  "E-mail 3 Address",
  "Mobile Phone",
  "Other Phone",
  "Web Page",
  "Categories",
  "Notes",
];

function outlookRows(cards: readonly Card[]): string[][] {
  const rows = cards.map((card) => {
    const [family, given] = nameParts(card.fullName);
    const [emails, phones, urls] = [present(card.emails), present(card.phones), present(card.urls)];
    const overflow = [...emails.slice(OUTLOOK_EMAILS), ...phones.slice(OUTLOOK_PHONES), ...urls.slice(1)];
    const notes = [clean(card.note), ...overflow].filter(Boolean).join("\n");
    return [
      "",
      cell(given),
      cell(family),
      cell(card.org),
      cell(card.title),
      ...slots(emails, OUTLOOK_EMAILS).map((email) => cell(email)),
      ...slots(phones, OUTLOOK_PHONES).map((number) => cell(number, true)),
      cell(urls[0] ?? ""),
      // Outlook splits categories on ";": one inside a name would make two.
      cell(present(card.categories).map((c) => c.replace(/;/g, ",")).join(";")),
      cell(notes),
    ];
  });
  return [OUTLOOK_HEADER, ...rows];
}

/** RFC 4180 minimal quoting: only a field holding a comma, a quote or a line break is quoted. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function renderCsv(cards: readonly Card[], flavour: CsvFlavour): string {
  const rows = flavour === "google" ? googleRows(cards) : outlookRows(cards);
  // Outlook and Excel read a CSV without BOM in the Windows code page; Google reads UTF-8 as is.
  const bom = flavour === "outlook" ? "\ufeff" : "";
  return bom + rows.map((row) => row.map(field).join(",") + CRLF).join("");
}
