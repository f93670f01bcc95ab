import { useEffect, useState } from "preact/hooks";
import { unwrap, type Schemas } from "../../../api/client";
import { api } from "../../../app/api";
import { useT } from "../../../i18n";
import { errorMessage } from "../../../ui/errors";
import { Alert } from "../../../ui/Screen";
import { filenameOf, saveFile } from "../../contacts/download";
import type { SectionProps } from "../sections";
import { useLoad } from "../useLoad";
import { posterFile, posterSvg } from "./posterFile";
import type { PaperSize } from "./PrintPosters";

type Zone = Schemas["ZoneAdmin"];

/** One poster per zone (SVG to print, PNG of the QR alone), and every poster at once to print. */
export function PostersScreen({ event }: SectionProps) {
  const t = useT();
  const zones = useLoad(
    () => unwrap(api.GET("/api/events/{event_id}/zones", { params: { path: { event_id: event.id } } })),
    [event.id],
  );
  const [size, setSize] = useState<PaperSize>("A4");

  if (!zones.data) {
    return zones.error === undefined ? (
      <p role="status">{t("common.loading")}</p>
    ) : (
      <Alert text={errorMessage(t, zones.error)} />
    );
  }
  return (
    <>
      <p class="lead">{t("org.posters.intro")}</p>
      {zones.data.length === 0 ? (
        <p>{t("org.posters.noZones")}</p>
      ) : (
        <section class="card" aria-labelledby="print-all-title">
          <h2 id="print-all-title">{t("org.posters.printAll")}</h2>
          <fieldset class="segmented">
            <legend>{t("org.posters.size")}</legend>
            <div>
              {(["A4", "A5"] as const).map((value) => (
                <label key={value}>
                  <input type="radio" name="poster-size" value={value} checked={size === value}
                    onChange={() => setSize(value)} />
                  {value}
                </label>
              ))}
            </div>
          </fieldset>
          <a class="btn-primary" href={`/organizer/events/${event.id}/print?size=${size}`} target="_blank"
            rel="noopener">
            {t("org.posters.openPrintable")}
          </a>
        </section>
      )}
      <ul class="org-list">
        {zones.data.map((zone) => (
          <ZonePoster key={zone.id} eventId={event.id} zone={zone} />
        ))}
      </ul>
    </>
  );
}

function ZonePoster({ eventId, zone }: { eventId: number; zone: Zone }) {
  const t = useT();
  const [preview, setPreview] = useState<string>();
  const [error, setError] = useState<string>();
  const path = { params: { path: { event_id: eventId, zone_id: zone.id } }, parseAs: "blob" as const };

  useEffect(() => {
    let url: string | undefined;
    posterSvg(eventId, zone.id)
      .then((svg) => {
        url = URL.createObjectURL(svg);
        setPreview(url);
      })
      .catch((e: unknown) => setError(errorMessage(t, e)));
    return () => url && URL.revokeObjectURL(url);
  }, [zone.checkin_token]);

  async function download(kind: "svg" | "png") {
    setError(undefined);
    try {
      const call =
        kind === "svg"
          ? api.GET("/api/events/{event_id}/zones/{zone_id}/poster.svg", path)
          : api.GET("/api/events/{event_id}/zones/{zone_id}/poster.png", path);
      const { response } = await call;
      const file = await posterFile(call);
      saveFile(file, filenameOf(response.headers.get("Content-Disposition"), `poster-${zone.id}.${kind}`));
    } catch (e) {
      setError(errorMessage(t, e));
    }
  }

  return (
    <li class="card poster" aria-labelledby={`poster-${zone.id}`}>
      <h2 id={`poster-${zone.id}`}>{zone.name}</h2>
      {preview && <img src={preview} alt={t("org.posters.preview", { zone: zone.name })} class="poster-preview" />}
      <Alert text={error} />
      <div class="row">
        <button type="button" onClick={() => void download("svg")}>
          {t("org.posters.svg")}
        </button>
        <button type="button" onClick={() => void download("png")}>
          {t("org.posters.png")}
        </button>
      </div>
    </li>
  );
}
