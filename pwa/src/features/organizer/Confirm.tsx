import { useState } from "preact/hooks";
import { useT } from "../../i18n";
import { errorMessage } from "../../ui/errors";
import { Alert } from "../../ui/Screen";

/** A button whose action is only done once its consequence has been read and confirmed. */
export function Confirm({
  label,
  warning,
  confirmLabel,
  danger = false,
  onConfirm,
}: {
  label: string;
  warning: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
}) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      setOpen(false);
    } catch (e) {
      setError(errorMessage(t, e));
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <button type="button" class={danger ? "btn-danger" : undefined} onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  }
  return (
    <div class="card confirm" role="group" aria-label={label}>
      <p role="alert">{warning}</p>
      <Alert text={error} />
      <div class="row">
        <button type="button" class="btn-danger" disabled={busy} onClick={() => void confirm()}>
          {confirmLabel}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          {t("org.cancel")}
        </button>
      </div>
    </div>
  );
}
