import { api } from "../../app/api";
import type { Contact } from "../../data/resources";
import type { Lang } from "../../i18n";
import { contactCard } from "./card";
import { renderCsv, type CsvFlavour } from "./csv";
import { filenameOf, safeName, saveFile } from "./download";
import { renderVCards } from "./vcard";

const VCARD_TYPE = "text/vcard;charset=utf-8";
const CSV_TYPE = "text/csv;charset=utf-8";

/** The server's file when it answers; else null. */
async function serverFile(fetchFile: () => Promise<{ data?: unknown; response: Response }>, fallbackName: string) {
  if (!navigator.onLine) return null;
  try {
    const { data, response } = await fetchFile();
    if (!response.ok || !(data instanceof Blob)) return null;
    return { blob: data, name: filenameOf(response.headers.get("Content-Disposition"), fallbackName) };
  } catch {
    return null;
  }
}

function localVCards(contacts: readonly Contact[], lang: Lang): Blob {
  return new Blob([renderVCards(contacts.map((c) => contactCard(c, lang)))], { type: VCARD_TYPE });
}

/** The name the server gives the same export: after the event and the format ("…-google.csv"). */
function exportName(contacts: readonly Contact[], form: string, ext: string): string {
  return safeName(["couloir contacts", contacts[0]?.event_name ?? "", form].join(" "), ext);
}

/** All contacts as one .vcf: the server's export online, else written here from the last sync. */
export async function exportAllVCards(contacts: readonly Contact[], lang: Lang): Promise<void> {
  const name = exportName(contacts, "", "vcf");
  const file = await serverFile(
    () => api.GET("/api/contacts/export.vcf", { params: { query: { version: "3.0" } }, parseAs: "blob" }),
    name,
  );
  saveFile(file?.blob ?? localVCards(contacts, lang), file?.name ?? name);
}

/** One contact's .vcf, the same way. */
export async function exportOneVCard(contact: Contact, lang: Lang): Promise<void> {
  const name = safeName(contact.name, "vcf");
  const file = await serverFile(
    () =>
      api.GET("/api/contacts/{contact_id}/vcard", {
        params: { path: { contact_id: contact.id }, query: { version: "3.0" } },
        parseAs: "blob",
      }),
    name,
  );
  saveFile(file?.blob ?? localVCards([contact], lang), file?.name ?? name);
}

/** CSV for Google or Outlook: the server's export online, else written here from the last sync. */
export async function exportCsv(contacts: readonly Contact[], flavour: CsvFlavour, lang: Lang): Promise<void> {
  const name = exportName(contacts, flavour, "csv");
  const file = await serverFile(
    () => api.GET("/api/contacts/export.csv", { params: { query: { flavour } }, parseAs: "blob" }),
    name,
  );
  const local = () => new Blob([renderCsv(contacts.map((c) => contactCard(c, lang)), flavour)], { type: CSV_TYPE });
  saveFile(file?.blob ?? local(), file?.name ?? name);
}
