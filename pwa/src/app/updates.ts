import { navigate } from "./router";
import { createStore } from "./store";

/** A new service worker is installed and waits: the person decides when to reload. */
export const updateReady = createStore<ServiceWorker | null>(null);
/** The first service worker took over: the app now works offline. */
export const offlineReady = createStore(false);

export async function registerServiceWorker(options: { onNotificationOpened?: () => void } = {}): Promise<void> {
  if (!("serviceWorker" in navigator)) return;
  const firstInstall = !navigator.serviceWorker.controller;
  // A tapped notification opens its screen in the running app, without a reload.
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent<{ type?: string; url?: string }>) => {
    if (event.data?.type === "OPEN" && event.data.url?.startsWith("/")) {
      navigate(event.data.url);
      options.onNotificationOpened?.();
    }
  });
  navigator.serviceWorker.startMessages();
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });

  const watch = (worker: ServiceWorker) => {
    worker.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) updateReady.set(worker);
      if (worker.state === "activated" && firstInstall) offlineReady.set(true);
    });
  };
  if (registration.waiting && navigator.serviceWorker.controller) updateReady.set(registration.waiting);
  if (registration.installing) watch(registration.installing);
  registration.addEventListener("updatefound", () => {
    if (registration.installing) watch(registration.installing);
  });
  // A phone keeps the app open for days: look for a new version when it comes back to the foreground.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void registration.update().catch(() => undefined);
  });
}

/** Swaps to the waiting version and reloads once it controls the page: never mid-action, only on request. */
export function applyUpdate(): void {
  const worker = updateReady.get();
  if (!worker) return;
  navigator.serviceWorker.addEventListener("controllerchange", () => window.location.reload(), { once: true });
  worker.postMessage({ type: "SKIP_WAITING" });
}
