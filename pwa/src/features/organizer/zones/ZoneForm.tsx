import { useState } from "preact/hooks";
import type { Schemas } from "../../../api/client";
import { useT, type MessageKey } from "../i18n";
import { Field } from "../../../ui/Field";
import { Alert } from "../../../ui/Screen";
import { formError, type FieldLabels } from "../formError";
import { LocalNameFields, localNamesOf, type LocalNames } from "../LocalNameFields";

type Zone = Schemas["ZoneAdmin"];
type ZoneKind = Schemas["ZoneKind"];
export interface ZoneFields extends LocalNames {
  name: string;
  kind: ZoneKind;
  neighbour_ids: number[];
}

export const ZONE_KINDS: ZoneKind[] = [
  "coffee",
  "buffet",
  "lounge",
  "hallway",
  "entrance",
  "coat_check",
  "exhibitor_table",
  "other",
];

export const kindLabel = (kind: ZoneKind) => `org.zone.kind.${kind}` as MessageKey;

/** A zone's name, kind and neighbours (the other zones one walks to from it). */
const ZONE_LABELS: FieldLabels = {
  name: "org.zone.name",
  name_fr: "org.names.fr",
  name_en: "org.names.en",
  kind: "org.zone.kind",
  neighbour_ids: "org.zone.neighbours",
};

export function ZoneForm({
  idPrefix,
  initial,
  others,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  idPrefix: string;
  initial: ZoneFields;
  others: Zone[];
  submitLabel: string;
  onSubmit: (fields: ZoneFields) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const t = useT();
  const [fields, setFields] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  function toggleNeighbour(id: number, on: boolean) {
    setFields((old) => ({
      ...old,
      neighbour_ids: on ? [...old.neighbour_ids, id] : old.neighbour_ids.filter((n) => n !== id),
    }));
  }

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit({ ...fields, ...localNamesOf(fields), name: fields.name.trim() });
    } catch (e) {
      setError(formError(t, e, { Conflict: "org.zone.nameTaken" }, ZONE_LABELS));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="stack" onSubmit={submit}>
      <Field id={`${idPrefix}-name`} label={t("org.zone.name")} required maxLength={100} value={fields.name}
        onInput={(e) => setFields({ ...fields, name: e.currentTarget.value })} />
      <LocalNameFields idPrefix={idPrefix} names={fields} onChange={(names) => setFields({ ...fields, ...names })} />
      <div class="field">
        <label for={`${idPrefix}-kind`}>{t("org.zone.kind")}</label>
        <select id={`${idPrefix}-kind`} value={fields.kind}
          onChange={(e) => setFields({ ...fields, kind: e.currentTarget.value as ZoneKind })}>
          {ZONE_KINDS.map((kind) => (
            <option key={kind} value={kind}>{t(kindLabel(kind))}</option>
          ))}
        </select>
      </div>
      {others.length > 0 && (
        <fieldset>
          <legend>{t("org.zone.neighbours")}</legend>
          {others.map((zone) => (
            <label key={zone.id} class="check">
              <input type="checkbox" checked={fields.neighbour_ids.includes(zone.id)}
                onChange={(e) => toggleNeighbour(zone.id, e.currentTarget.checked)} />
              {zone.name}
            </label>
          ))}
        </fieldset>
      )}
      <Alert text={error} />
      <div class="row">
        <button type="submit" class="btn-primary" disabled={busy}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {t("org.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
