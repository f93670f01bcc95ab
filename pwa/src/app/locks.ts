/** Runs `run` alone across this origin's tabs (Web Locks), or directly where the browser lacks them. */
export function exclusive(name: string) {
  return async <T>(run: () => Promise<T>): Promise<T> =>
    "locks" in navigator ? ((await navigator.locks.request(name, run)) as T) : run();
}
