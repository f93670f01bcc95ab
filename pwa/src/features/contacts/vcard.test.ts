import { describe, expect, it } from "vitest";
import type { Contact } from "../../data/resources";
import { contactCard } from "./card";
import { fold, nameParts, renderVCards, type Card } from "./vcard";

/** A reader for what the writer makes: unfold, split properties, unescape TEXT values. */
function parse(vcf: string): Record<string, string[]>[] {
  const cards: Record<string, string[]>[] = [];
  let card: Record<string, string[]> = {};
  for (const line of vcf.replace(/\r\n[ \t]/g, "").split("\r\n")) {
    if (!line) continue;
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).split(";")[0]!;
    const value = line.slice(colon + 1);
    if (name === "BEGIN") card = {};
    else if (name === "END") cards.push(card);
    else (card[name] ??= []).push(value);
  }
  return cards;
}

/** Splits on separators that are not escaped, then unescapes each part. */
function unescape(value: string, separator = ""): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\") {
      const next = value[++i]!;
      current += next === "n" || next === "N" ? "\n" : next;
    } else if (separator && c === separator) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  return [...parts, current];
}

const octets = (text: string) => new TextEncoder().encode(text).length;
const fatal = new TextDecoder("utf-8", { fatal: true });

const tricky: Card = {
  uid: "couloir-contact-7",
  fullName: "Zoé d'Arc-Ménard",
  org: "Ops; Dev, and \\ more",
  title: "Head of 🚀 platform, EMEA",
  emails: ["zoe@example.org", "  "],
  phones: ["+33 6 12 34 56 78"],
  urls: ["https://example.org/a,b;c d"],
  categories: ["DevOps Days, Lyon"],
  note: "Met at the coffee bar.\r\nTalked about eBPF; k8s, and \\ backslashes. " + "Très long texte accentué — ".repeat(8),
  revision: new Date("2026-03-12T10:32:05.123Z"),
};

describe("vCard 3.0 writer", () => {
  it("ends every line with CRLF and folds at 75 octets", () => {
    const vcf = renderVCards([tricky]);
    expect(vcf.endsWith("\r\n")).toBe(true);
    expect(vcf.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    const lines = vcf.split("\r\n").slice(0, -1);
    for (const line of lines) expect(octets(line), line).toBeLessThanOrEqual(75);
    expect(lines.some((line) => line.startsWith(" "))).toBe(true);
  });

  it("never splits a UTF-8 character when folding", () => {
    const line = "NOTE:" + "é🚀ü".repeat(40);
    const folded = fold(line);
    for (const physical of folded.split("\r\n").slice(0, -1)) {
      const bytes = new TextEncoder().encode(physical);
      expect(bytes.length).toBeLessThanOrEqual(75);
      expect(fatal.decode(bytes)).toBe(physical);
    }
    expect(folded.replace(/\r\n /g, "")).toBe(line + "\r\n");
    expect(fold("FN:short")).toBe("FN:short\r\n");
  });

  it("round-trips every value through escaping and folding", () => {
    const [card] = parse(renderVCards([tricky]));
    expect(card!.VERSION).toEqual(["3.0"]);
    expect(unescape(card!.FN![0]!)).toEqual(["Zoé d'Arc-Ménard"]);
    expect(unescape(card!.N![0]!, ";")).toEqual(["d'Arc-Ménard", "Zoé", "", "", ""]);
    expect(unescape(card!.ORG![0]!)).toEqual(["Ops; Dev, and \\ more"]);
    expect(unescape(card!.TITLE![0]!)).toEqual(["Head of 🚀 platform, EMEA"]);
    expect(card!.EMAIL).toEqual(["zoe@example.org"]); // the blank one is left out
    expect(unescape(card!.TEL![0]!)).toEqual(["+33 6 12 34 56 78"]);
    expect(card!.URL).toEqual(["https://example.org/a,b;c%20d"]);
    expect(unescape(card!.CATEGORIES![0]!, ",")).toEqual(["DevOps Days, Lyon"]);
    expect(unescape(card!.NOTE![0]!)).toEqual([tricky.note!.replace("\r\n", "\n")]);
    expect(card!.REV).toEqual(["2026-03-12T10:32:05Z"]);
  });

  it("writes several cards and leaves empty fields out", () => {
    const vcf = renderVCards([tricky, { uid: "u2", fullName: "Alex", org: " ", note: null }]);
    const cards = parse(vcf);
    expect(cards).toHaveLength(2);
    expect(cards[1]).toEqual({ VERSION: ["3.0"], PRODID: ["-//Couloir//Contact export//EN"], UID: ["u2"], FN: ["Alex"], N: [";Alex;;;"] });
    expect(() => renderVCards([{ uid: "u3", fullName: "  " }])).toThrow();
  });

  it("splits names the way the server does", () => {
    expect(nameParts("Ludwig van Beethoven")).toEqual(["van Beethoven", "Ludwig"]);
    expect(nameParts("Camille Martin")).toEqual(["Martin", "Camille"]);
    expect(nameParts("Jean Pierre Dupont")).toEqual(["Dupont", "Jean Pierre"]);
    expect(nameParts("Cher")).toEqual(["", "Cher"]);
  });
});

describe("a contact as a card", () => {
  const contact: Contact = {
    id: 12,
    other_attendee_id: 3,
    name: "Alex Doe",
    headline: "SRE",
    company: "Acme",
    email: "alex@example.org",
    phone: null,
    website_url: null,
    event_name: "DevOps Days Lyon",
    zone_name: "Coffee bar",
    shared_topics: ["Kubernetes", "eBPF"],
    how: "suggestion",
    met_at: "2026-03-12T10:32:00Z",
    note: "Call back about the job",
    tags: ["hiring"],
    follow_up: true,
    photo_url: null,
    ask_me_about: "",
    find_me_hint: "",
  };

  it("carries where, when and why we met, in the person's language", () => {
    expect(contactCard(contact, "en").note).toBe(
      "Met at DevOps Days Lyon, Coffee bar, 2026-03-12. Topics: Kubernetes, eBPF.\nCall back about the job",
    );
    expect(contactCard(contact, "fr").note).toBe(
      "Rencontré à DevOps Days Lyon, Coffee bar, le 2026-03-12. Sujets : Kubernetes, eBPF.\nCall back about the job",
    );
    const [card] = parse(renderVCards([contactCard(contact, "en")]));
    expect(card!.UID).toEqual(["couloir-contact-12"]);
    expect(card!.ORG).toEqual(["Acme"]);
    expect(card!.TEL).toBeUndefined();
  });

  it("carries my tags and the follow-up mark as categories, as the server's export does", () => {
    expect(contactCard(contact, "en").categories).toEqual(["DevOps Days Lyon", "hiring", "Follow up"]);
    expect(contactCard(contact, "fr").categories).toEqual(["DevOps Days Lyon", "hiring", "À recontacter"]);
    expect(contactCard({ ...contact, tags: [], follow_up: false }, "en").categories).toEqual(["DevOps Days Lyon"]);
  });
});
