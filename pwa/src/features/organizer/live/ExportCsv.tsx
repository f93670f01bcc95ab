import { useState } from "preact/hooks";
import { unwrap } from "../../../api/client";
import { api } from "../../../app/api";
import { useT } from "../i18n";
import { errorMessage } from "../../../ui/errors";
import { Alert } from "../../../ui/Screen";
import { filenameOf, saveFile } from "../../contacts/download";

/** The KPIs and per-zone figures as a CSV file (fetched with the organizer's token, then saved). */
export function ExportCsv({ eventId }: { eventId: number }) {
  const t = useT();
  const [error, setError] = useState<string>();

  async function download() {
    setError(undefined);
    try {
      const call = api.GET("/api/events/{event_id}/dashboard.csv", {
        params: { path: { event_id: eventId } },
        parseAs: "blob",
      });
      const file = await unwrap(call);
      const { response } = await call;
      saveFile(file as Blob, filenameOf(response.headers.get("Content-Disposition"), "dashboard.csv"));
    } catch (e) {
      setError(errorMessage(t, e));
    }
  }

  return (
    <>
      <button type="button" onClick={() => void download()}>
        {t("org.live.export")}
      </button>
      <Alert text={error} />
    </>
  );
}
