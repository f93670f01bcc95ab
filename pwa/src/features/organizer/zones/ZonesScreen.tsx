import { useState } from "preact/hooks";
import { unwrap, type Schemas } from "../../../api/client";
import { api } from "../../../app/api";
import { useT } from "../i18n";
import { errorMessage } from "../../../ui/errors";
import { Alert } from "../../../ui/Screen";
import { Confirm } from "../Confirm";
import { LocalNamesLine } from "../LocalNameFields";
import type { SectionProps } from "../sections";
import { useLoad } from "../useLoad";
import { ZoneForm, kindLabel } from "./ZoneForm";

type Zone = Schemas["ZoneAdmin"];
type Count = Schemas["ZoneCount"]["people"];

/** The venue's zones: where attendees check in. Counts are people there now, as attendees see them. */
export function ZonesScreen({ event }: SectionProps) {
  const t = useT();
  const path = { params: { path: { event_id: event.id } } };
  const zones = useLoad(() => unwrap(api.GET("/api/events/{event_id}/zones", path)), [event.id]);
  const counts = useLoad(() => unwrap(api.GET("/api/events/{event_id}/zone-counts", path)), [event.id]);
  const [adding, setAdding] = useState(0); // a new key empties the form after each zone added

  if (!zones.data) {
    return zones.error === undefined ? (
      <p role="status">{t("common.loading")}</p>
    ) : (
      <Alert text={errorMessage(t, zones.error)} />
    );
  }
  const all = zones.data;
  const countOf = (zone: Zone) => counts.data?.find((c) => c.zone.id === zone.id)?.people;
  // Neighbours are mutual: the server changes both zones, so reload the list after a change.
  const changed = () => {
    zones.reload();
    counts.reload();
  };

  return (
    <>
      <p class="lead">{t("org.zones.intro")}</p>
      {all.length === 0 && <p>{t("org.zones.none")}</p>}
      <div class="row">
        <button type="button" onClick={changed}>
          {t("org.zones.refresh")}
        </button>
      </div>
      <ul class="org-list">
        {all.map((zone) => (
          <ZoneItem key={zone.id} eventId={event.id} zone={zone} all={all} count={countOf(zone)} onChange={changed} />
        ))}
      </ul>
      <section class="card" aria-labelledby="zone-add-title">
        <h2 id="zone-add-title">{t("org.zones.add")}</h2>
        <ZoneForm
          key={adding}
          idPrefix="zone-new"
          initial={{ name: "", name_fr: null, name_en: null, kind: "coffee", neighbour_ids: [] }}
          others={all}
          submitLabel={t("org.add")}
          onSubmit={async (fields) => {
            await unwrap(api.POST("/api/events/{event_id}/zones", { ...path, body: fields }));
            setAdding((n) => n + 1);
            changed();
          }}
        />
      </section>
    </>
  );
}

function ZoneItem({
  eventId,
  zone,
  all,
  count,
  onChange,
}: { eventId: number; zone: Zone; all: Zone[]; count: Count | undefined; onChange: () => void }) {
  const t = useT();
  const [editing, setEditing] = useState(false);
  const path = { params: { path: { event_id: eventId, zone_id: zone.id } } };
  const neighbours = all.filter((z) => zone.neighbour_ids.includes(z.id)).map((z) => z.name);

  return (
    <li class="card" aria-labelledby={`zone-${zone.id}`}>
      <div class="org-item-head">
        <h2 id={`zone-${zone.id}`}>{zone.name}</h2>
        <span class="badge">{t(kindLabel(zone.kind))}</span>
      </div>
      <LocalNamesLine names={zone} />
      <p class="hint">
        {t("org.zone.code")} <strong>{zone.code}</strong>
        {neighbours.length > 0 && <> · {t("org.zone.neighboursList", { names: neighbours.join(", ") })}</>}
      </p>
      {count !== undefined && (
        <p data-testid="zone-count">
          {typeof count === "number" ? t("org.zone.present", { n: count }) : t("org.zone.presentFew")}
        </p>
      )}
      {editing ? (
        <ZoneForm
          idPrefix={`zone-${zone.id}-edit`}
          initial={{
            name: zone.name,
            name_fr: zone.name_fr ?? null,
            name_en: zone.name_en ?? null,
            kind: zone.kind,
            neighbour_ids: zone.neighbour_ids,
          }}
          others={all.filter((z) => z.id !== zone.id)}
          submitLabel={t("org.save")}
          onCancel={() => setEditing(false)}
          onSubmit={async (fields) => {
            await unwrap(api.PATCH("/api/events/{event_id}/zones/{zone_id}", { ...path, body: fields }));
            setEditing(false);
            onChange();
          }}
        />
      ) : (
        <div class="row">
          <button type="button" onClick={() => setEditing(true)}>
            {t("org.edit")}
          </button>
          <Confirm
            label={t("org.zone.rotate")}
            warning={t("org.zone.rotateWarning")}
            confirmLabel={t("org.zone.rotateYes")}
            onConfirm={async () => {
              await unwrap(api.POST("/api/events/{event_id}/zones/{zone_id}/rotate-token", path));
              onChange();
            }}
          />
          <Confirm
            label={t("org.delete")}
            danger
            warning={t("org.zone.deleteWarning")}
            confirmLabel={t("org.deleteYes")}
            onConfirm={async () => {
              await unwrap(api.DELETE("/api/events/{event_id}/zones/{zone_id}", path));
              onChange();
            }}
          />
        </div>
      )}
    </li>
  );
}
