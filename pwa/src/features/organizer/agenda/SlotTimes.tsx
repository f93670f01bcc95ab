import { useT } from "../../../i18n";
import { Field } from "../../../ui/Field";

/** Start and end of a talk or break, on the venue's clock. */
export function SlotTimes({
  idPrefix,
  starts,
  ends,
  onChange,
}: {
  idPrefix: string;
  starts: string;
  ends: string;
  onChange: (patch: { starts?: string; ends?: string }) => void;
}) {
  const t = useT();
  return (
    <div class="pair">
      <Field id={`${idPrefix}-starts`} label={t("org.agenda.starts")} type="datetime-local" required value={starts}
        onInput={(e) => onChange({ starts: e.currentTarget.value })} />
      <Field id={`${idPrefix}-ends`} label={t("org.agenda.ends")} type="datetime-local" required value={ends}
        onInput={(e) => onChange({ ends: e.currentTarget.value })} />
    </div>
  );
}
