import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Contact } from "../../data/resources";
import { contactCard } from "./card";
import { renderCsv, type CsvFlavour } from "./csv";
import type { Card } from "./vcard";

// The server renders these cards into the .csv files beside them (tests/test_csv_parity.py keeps them
// current): the phone's offline export must be the same file, byte for byte.
const parity = new URL("./csv-parity/", import.meta.url);
const cards = JSON.parse(readFileSync(new URL("cards.json", parity), "utf8")) as Card[];
const serverExport = (flavour: CsvFlavour) => readFileSync(new URL(`${flavour}.csv`, parity), "utf8");

/** RFC 4180 reader, to look at cells rather than bytes. */
function parse(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!;
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') cell += csv[++i];
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") (row.push(cell), (cell = ""));
    else if (c === "\r" && csv[i + 1] === "\n") {
      rows.push([...row, cell]);
      (row = []), (cell = ""), i++;
    } else cell += c;
  }
  return rows;
}

describe.each(["google", "outlook"] as const)("%s CSV written on the phone", (flavour) => {
  it("is exactly the server's export of the same cards", () => {
    expect(renderCsv(cards, flavour)).toBe(serverExport(flavour));
  });

  it("has the server's columns", () => {
    const [header] = parse(renderCsv(cards, flavour).replace(/^\ufeff/, ""));
    const [serverHeader] = parse(serverExport(flavour).replace(/^\ufeff/, ""));
    expect(header).toEqual(serverHeader);
  });
});

describe("CSV cells", () => {
  const rows = (flavour: CsvFlavour) => {
    const [header, ...body] = parse(renderCsv(cards, flavour).replace(/^\ufeff/, ""));
    return body.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]])));
  };

  it("quotes commas, quotes and line breaks, and keeps formulas as text", () => {
    const [zoe, ludwig, cher] = rows("google");
    expect(zoe!["Organization Name"]).toBe('Ops, "Dev" & more');
    expect(zoe!["Organization Title"]).toBe("'=HYPERLINK(\"http://evil.example\")");
    expect(zoe!.Notes).toBe("Met at the coffee bar.\nTalked about eBPF; k8s, and \\ backslashes.");
    expect(zoe!["Phone 1 - Value"]).toBe("+33 6 12 34 56 78"); // an international number stays intact
    expect(zoe!["Phone 3 - Value"]).toBe("-1+2") // arithmetic on numbers runs nothing: left as given;
    expect(ludwig!["Phone 1 - Value"]).toBe("+33 6 =1"); // no call, DDE or reference: nothing to run
    expect([ludwig!["First Name"], ludwig!["Last Name"]]).toEqual(["Ludwig", "van Beethoven"]);
    expect(cher!["Organization Title"]).toBe("-5");
    expect(cher!["E-mail 2 - Value"]).toBe(""); // padded to the busiest card's count
    const jean = rows("google")[3]!;
    expect([jean["First Name"], jean["Last Name"], jean["Organization Name"]]).toEqual(["-Jean", "@Dupont", "@Home"]);
    expect(jean.Notes).toBe("'\t=1+1 is a formula"); // an importer may strip the tab, then see "="
    expect(jean.Labels).toBe("Platform Days ::: prospect ::: lyon ::: Follow up");
  });

  it("puts what Outlook has no slot for in Notes, and starts with a BOM", () => {
    const csv = renderCsv(cards, "outlook");
    expect(csv.startsWith("\ufeffTitle,First Name,")).toBe(true);
    const [zoe] = rows("outlook");
    expect(zoe!["E-mail 3 Address"]).toBe("z@third.example");
    expect(zoe!.Notes!.split("\n").slice(-3)).toEqual(["z@fourth.example", "-1+2", "https://second.example"]);
    expect(zoe!.Categories).toBe("DevOps Days, Lyon;@mention");
  });

  it("writes a synced contact with where and why we met", () => {
    const contact: Contact = {
      id: 5,
      other_attendee_id: 9,
      name: "Alex Doe",
      headline: "SRE",
      company: "Acme",
      email: "alex@example.org",
      phone: null,
      website_url: null,
      event_name: "DevOps Days Lyon",
      zone_name: "Coffee bar",
      shared_topics: ["Kubernetes"],
      how: "suggestion",
      met_at: "2026-03-12T10:32:00Z",
      note: "",
      tags: [],
      follow_up: false,
      photo_url: null,
      ask_me_about: "",
      find_me_hint: "",
    };
    const [header, row] = parse(renderCsv([contactCard(contact, "en")], "google"));
    expect(Object.fromEntries(header!.map((name, i) => [name, row![i]]))).toMatchObject({
      "First Name": "Alex",
      "Last Name": "Doe",
      "Organization Name": "Acme",
      Notes: "Met at DevOps Days Lyon, Coffee bar, 2026-03-12. Topics: Kubernetes.",
      Labels: "DevOps Days Lyon",
      "E-mail 1 - Value": "alex@example.org",
    });
  });
});
