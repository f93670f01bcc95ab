import { useState } from "preact/hooks";
import { useT } from "./i18n";
import { formError, type FieldLabels } from "./formError";

/** A console form's sending state: busy while the server answers, its error kept beside what was typed. */
export function useSubmit(send: () => Promise<unknown>, labels: FieldLabels = {}) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await send();
    } catch (e) {
      setError(e instanceof RangeError ? t("org.event.badTime") : formError(t, e, {}, labels));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, submit };
}
