import { useStore } from "../../app/store";
import type { Contact } from "../../data/resources";
import { language, useT } from "../../i18n";
import { exportAllVCards, exportCsv } from "./exports";

/** Every format works offline too: written on the phone from the last sync. */
export function ExportButtons({ contacts }: { contacts: readonly Contact[] }) {
  const t = useT();
  const lang = useStore(language);
  const csv = (flavour: "google" | "outlook") => void exportCsv(contacts, flavour, lang);
  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">{t("contacts.export")}</h2>
      <div class="row">
        <button type="button" onClick={() => void exportAllVCards(contacts, lang)}>
          {t("contacts.exportVcf")}
        </button>
        <button type="button" onClick={() => csv("google")}>
          {t("contacts.exportGoogle")}
        </button>
        <button type="button" onClick={() => csv("outlook")}>
          {t("contacts.exportOutlook")}
        </button>
      </div>
      <p class="hint">{t("contacts.exportHint")}</p>
    </section>
  );
}
