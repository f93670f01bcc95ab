import { useState } from "preact/hooks";
import { useStore } from "../../app/store";
import type { Contact } from "../../data/resources";
import { language, useT } from "../../i18n";
import { Alert } from "../../ui/Screen";
import { exportAllVCards, exportCsv } from "./exports";

/** vCard works offline too (written on the phone from the last sync); CSV is made by the server. */
export function ExportButtons({ contacts }: { contacts: readonly Contact[] }) {
  const t = useT();
  const lang = useStore(language);
  const [csvFailed, setCsvFailed] = useState(false);
  const csv = (flavour: "google" | "outlook") => void exportCsv(flavour).then((ok) => setCsvFailed(!ok));
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
      <Alert text={csvFailed ? t("contacts.csvOffline") : undefined} />
    </section>
  );
}
