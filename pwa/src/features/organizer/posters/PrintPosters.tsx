import { useEffect, useState } from "preact/hooks";
import { unwrap } from "../../../api/client";
import { api } from "../../../app/api";
import { useT } from "../../../i18n";
import { errorMessage } from "../../../ui/errors";
import { Alert, Screen } from "../../../ui/Screen";
import { useLoad } from "../useLoad";
import { posterSvg } from "./posterFile";

export type PaperSize = "A4" | "A5";

/** "Print all": every zone's poster, one per sheet (CSS @page), for the browser's Print or Save as PDF.
 * Laid out here rather than in the API's own HTML page: that page, fetched with the token and opened
 * from a blob, would inherit the app's Content-Security-Policy, which blocks its inline style. */
export function PrintPosters({ eventId }: { eventId: number }) {
  const t = useT();
  const size: PaperSize = new URLSearchParams(window.location.search).get("size") === "A5" ? "A5" : "A4";
  const [error, setError] = useState<string>();
  const [urls, setUrls] = useState<Record<number, string>>({});
  const path = { params: { path: { event_id: eventId } } };
  const event = useLoad(() => unwrap(api.GET("/api/events/{event_id}", path)), [eventId]);
  const zones = useLoad(() => unwrap(api.GET("/api/events/{event_id}/zones", path)), [eventId]);

  useEffect(() => {
    if (!zones.data) return;
    const made: string[] = [];
    Promise.all(
      zones.data.map(async (zone) => {
        const url = URL.createObjectURL(await posterSvg(eventId, zone.id));
        made.push(url);
        return [zone.id, url] as const;
      }),
    )
      .then((pairs) => setUrls(Object.fromEntries(pairs)))
      .catch((e: unknown) => setError(errorMessage(t, e)));
    return () => made.forEach((url) => URL.revokeObjectURL(url));
  }, [zones.data]);

  const failure = error ?? (zones.error !== undefined ? errorMessage(t, zones.error) : undefined);
  const ready = zones.data !== undefined && Object.keys(urls).length === zones.data.length;
  return (
    <div class={size === "A5" ? "print-sheets print-a5" : "print-sheets"}>
      <div class="no-print">
        <Screen title={t("org.print.title", { event: event.data?.name ?? "" })}>
          <p class="lead">{t("org.print.intro")}</p>
          <Alert text={failure} />
          {!ready && !failure && <p role="status">{t("common.loading")}</p>}
          <button type="button" class="btn-primary" disabled={!ready} onClick={() => window.print()}>
            {t("org.print.print")}
          </button>
        </Screen>
      </div>
      {ready &&
        zones.data!.map((zone) => (
          <section key={zone.id} class="print-page" aria-label={zone.name}>
            <img src={urls[zone.id]} alt={t("org.posters.preview", { zone: zone.name })} />
          </section>
        ))}
    </div>
  );
}
