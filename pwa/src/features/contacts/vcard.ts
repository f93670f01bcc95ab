/** A vCard 3.0 writer (RFC 2426), so contacts export with no network from the last sync. The server's
 * encoder (api/contacts/vcard.py) is the source of truth and is used whenever the phone is online; this
 * copy exists only for offline exports and writes what the server's writes: UTF-8, CRLF line ends, lines
 * folded at 75 octets without splitting a character, TEXT values escaped, empty values left out. */

export interface Card {
  uid: string;
  fullName: string;
  org?: string | null;
  title?: string | null;
  emails?: string[];
  phones?: string[];
  urls?: string[];
  categories?: string[];
  note?: string | null;
  revision?: Date;
}

const CRLF = "\r\n";
const MAX_OCTETS = 75;
const PRODID = "-//Couloir//Contact export//EN";
// Controls other than tab and line feed: the vCard grammar forbids them, importers choke on them.
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** Line breaks as LF, no control characters; undefined when nothing is left to write. */
function clean(value: string | null | undefined): string | undefined {
  if (value == null) return undefined;
  const text = value.replace(/\r\n?/g, "\n").replace(CONTROLS, "");
  return text.trim() ? text : undefined;
}

/** TEXT escaping: backslash first, then the separators and line breaks. */
export function escapeText(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/,/g, "\\,").replace(/;/g, "\\;").replace(/\n/g, "\\n");
}

/** A URI is written as given (vCard escapes no URI value); only whitespace, which no URI holds, is encoded. */
function uri(value: string): string {
  return value.replace(/\s/g, (c) => encodeURIComponent(c));
}

const utf8Length = (char: string) => new TextEncoder().encode(char).length;

/** Folds one content line: at most 75 octets per line, the continuation's leading space included, and
 * never inside a UTF-8 sequence (cuts fall between code points). */
export function fold(line: string): string {
  const lines: string[] = [];
  let current = "";
  let octets = 0;
  let limit = MAX_OCTETS;
  for (const char of line) {
    const size = utf8Length(char);
    if (octets + size > limit) {
      lines.push(current);
      current = "";
      octets = 0;
      limit = MAX_OCTETS - 1;
    }
    current += char;
    octets += size;
  }
  lines.push(current);
  return lines.join(`${CRLF} `) + CRLF;
}

/** Family and given names from the full name: the family name is the last word, or starts at the first
 * lower-case particle after the first word ("Ludwig van Beethoven"). One word is a given name. */
export function nameParts(fullName: string): [family: string, given: string] {
  const words = fullName.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return ["", words[0] ?? ""];
  let start = words.length - 1;
  for (let i = 1; i < words.length - 1; i++) {
    const first = words[i]![0]!;
    if (first !== first.toUpperCase() && first === first.toLowerCase()) {
      start = i;
      break;
    }
  }
  return [words.slice(start).join(" "), words.slice(0, start).join(" ")];
}

const present = (values: string[] | undefined) =>
  (values ?? []).map(clean).filter((v): v is string => v !== undefined).map((v) => v.trim());

/** 2026-03-12T10:32:00Z: vCard 3.0's extended ISO 8601 form, in UTC, whole seconds. */
const timestamp = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, "Z");

function cardLines(card: Card): string[] {
  const fullName = clean(card.fullName);
  if (!fullName) throw new Error("a vCard needs a full name (FN)");
  const [family, given] = nameParts(fullName);
  const lines = [
    "BEGIN:VCARD",
    "VERSION:3.0",
    `PRODID:${PRODID}`,
    `UID:${escapeText(card.uid)}`,
    `FN:${escapeText(fullName)}`,
    `N:${[family, given, "", "", ""].map(escapeText).join(";")}`,
  ];
  const org = clean(card.org);
  if (org) lines.push(`ORG:${escapeText(org)}`);
  const title = clean(card.title);
  if (title) lines.push(`TITLE:${escapeText(title)}`);
  for (const phone of present(card.phones)) lines.push(`TEL;TYPE=CELL:${escapeText(phone)}`);
  for (const email of present(card.emails)) lines.push(`EMAIL;TYPE=INTERNET:${escapeText(email)}`);
  for (const url of present(card.urls)) lines.push(`URL:${uri(url)}`);
  const categories = present(card.categories);
  if (categories.length) lines.push(`CATEGORIES:${categories.map(escapeText).join(",")}`);
  const note = clean(card.note);
  if (note) lines.push(`NOTE:${escapeText(note)}`);
  if (card.revision) lines.push(`REV:${timestamp(card.revision)}`);
  lines.push("END:VCARD");
  return lines;
}

/** One .vcf text holding every card. */
export function renderVCards(cards: readonly Card[]): string {
  return cards.flatMap(cardLines).map(fold).join("");
}
