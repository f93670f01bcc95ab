import { useState } from "preact/hooks";
import { api } from "../../app/api";
import { useT } from "../../i18n";
import { Alert } from "../../ui/Screen";
import { saveFile } from "../contacts/download";

const FILE_NAME = "couloir-my-data.json";

/** Everything the server holds about me, as one JSON file. It needs the network: the server writes it. */
export function ExportMyData() {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  async function download() {
    setBusy(true);
    setFailed(false);
    try {
      const { data, response } = await api.GET("/api/me/export", { parseAs: "blob" });
      if (!response.ok || !(data instanceof Blob)) throw new Error(`export answered ${response.status}`);
      saveFile(data, FILE_NAME);
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="stack">
      <button type="button" disabled={busy} aria-describedby="export-data-hint" onClick={() => void download()}>
        {t("settings.exportData")}
      </button>
      <p id="export-data-hint" class="hint">
        {t("settings.exportDataHint")}
      </p>
      <Alert text={failed ? t("settings.exportDataFailed") : undefined} />
    </div>
  );
}
