import { useState } from "preact/hooks";
import { useT } from "../i18n";
import { Field } from "../../../ui/Field";
import { Alert } from "../../../ui/Screen";
import { fromLocalInput } from "../zonedTime";
import { SlotTimes } from "./SlotTimes";
import { useSubmit } from "../useSubmit";
import type { FieldLabels } from "../formError";

export interface BreakFields {
  label: string;
  starts: string;
  ends: string;
}

export interface BreakBody {
  label: string;
  starts_at: string;
  ends_at: string;
}

/** A break: the hallway's moment, when check-ins last until its end and nudges may go out. */
const BREAK_LABELS: FieldLabels = {
  label: "org.agenda.breakLabel",
  starts_at: "org.agenda.starts",
  ends_at: "org.agenda.ends",
};

export function BreakForm({
  idPrefix,
  initial,
  timezone,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  idPrefix: string;
  initial: BreakFields;
  timezone: string;
  submitLabel: string;
  onSubmit: (body: BreakBody) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const t = useT();
  const [fields, setFields] = useState(initial);
  const { busy, error, submit } = useSubmit(() =>
    onSubmit({
      label: fields.label.trim(),
      starts_at: fromLocalInput(fields.starts, timezone),
      ends_at: fromLocalInput(fields.ends, timezone),
    }),
    BREAK_LABELS,
  );
  return (
    <form class="stack" onSubmit={submit}>
      <Field id={`${idPrefix}-label`} label={t("org.agenda.breakLabel")} hint={t("org.agenda.breakLabelHint")}
        required maxLength={100} value={fields.label}
        onInput={(e) => setFields({ ...fields, label: e.currentTarget.value })} />
      <SlotTimes idPrefix={idPrefix} starts={fields.starts} ends={fields.ends}
        onChange={(patch) => setFields({ ...fields, ...patch })} />
      <Alert text={error} />
      <div class="row">
        <button type="submit" class="btn-primary" disabled={busy}>{submitLabel}</button>
        {onCancel && <button type="button" onClick={onCancel}>{t("org.cancel")}</button>}
      </div>
    </form>
  );
}
