import { useEffect, useState } from "preact/hooks";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  reload: () => void;
  /** Puts what a write answered in place, without asking the server again. */
  set: (data: T) => void;
}

/** Online data of a console screen: loads on open and on `deps` changes, says why it failed. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setError(undefined);
    load()
      .then((value) => live && setData(value))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return { data, error, reload: () => setRound((n) => n + 1), set: setData };
}
