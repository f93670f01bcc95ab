/// <reference lib="webworker" />
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { onNotificationClick, readPayload, showPush } from "./push";

declare const self: ServiceWorkerGlobalScope;

// The app shell and every chunk of the build (the QR decoder too: scanning works offline).
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Deep links (/join/<code>, /z/<token>, /login) open the shell offline. API calls are never answered
// from here: authenticated answers are not cached by the service worker (the app keeps the last data
// it fetched in IndexedDB instead), and an API error must never turn into the app's HTML.
registerRoute(new NavigationRoute(createHandlerBoundToURL("index.html"), { denylist: [/^\/api\//] }));

// The first version takes the page at once; later versions wait for the person's "reload" tap.
clientsClaim();

self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});

// Nudges and contact requests: shown as the server wrote them; a tap opens the right screen.
self.addEventListener("push", (event) => event.waitUntil(showPush(readPayload(event))));
self.addEventListener("notificationclick", onNotificationClick);
