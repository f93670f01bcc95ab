import { useState } from "preact/hooks";

/** The file goes as it is: the API reads its bytes (no JSON or form encoding). */
export const asFile = (file: File) => ({ body: file as never, bodySerializer: (body: unknown) => body as File });

/** An import's sending state: busy while the server reads the file, then its summary or its refusal (kept
 * whole, so the problems can be shown line by line). */
export function useUpload<Summary>(upload: (file: File) => Promise<Summary>) {
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<Summary>();
  const [error, setError] = useState<unknown>();
  async function submit(event: Event, file: File | undefined) {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setSummary(undefined);
    try {
      setSummary(await upload(file));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return { busy, summary, error, submit };
}
