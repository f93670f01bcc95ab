/// <reference lib="webworker" />
import { openCouloirDB } from "../offline/db";
import { safePath } from "./links";

declare const self: ServiceWorkerGlobalScope;

/** What the server pushes (api/push/scheduler.py): a nudge or the contact requests waiting. */
export interface PushPayload {
  kind?: string;
  id?: number;
  title?: string;
  body?: string;
  url?: string;
  tag?: string;
}

interface NotificationData {
  url: string;
  id?: number;
}

const FALLBACK_TITLE = "Couloir";

export function readPayload(event: PushEvent): PushPayload {
  try {
    return (event.data?.json() as PushPayload | null) ?? {};
  } catch {
    return { body: event.data?.text() };
  }
}

export function showPush(payload: PushPayload): Promise<void> {
  const data: NotificationData = { url: safePath(payload.url), id: payload.id };
  return self.registration.showNotification(payload.title || FALLBACK_TITLE, {
    body: payload.body ?? "",
    tag: payload.tag,
    data,
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
  });
}

/** Focuses the app (it navigates itself, keeping its state) or opens it at the notification's screen. */
export async function openApp(clients: Clients, origin: string, url: string): Promise<void> {
  const windows = await clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === origin) as WindowClient | undefined;
  if (open) {
    await open.focus().catch(() => undefined);
    open.postMessage({ type: "OPEN", url });
    return;
  }
  await clients.openWindow(url);
}

/** Tells the server the nudge was opened, best effort: with the app's stored access token, else the
 * app's outbox sends it (its client refreshes an expired session). */
async function markOpened(id: number): Promise<void> {
  const db = await openCouloirDB();
  try {
    const session = (await db.get("kv", "session")) as { access_token?: string } | undefined;
    if (!session?.access_token) return;
    const response = await fetch(`/api/me/nudges/${id}/opened`, {
      method: "POST",
      headers: { Authorization: `Bearer ${session.access_token}` },
    }).catch(() => null);
    if (response && (response.ok || response.status === 404)) return;
    await db.put("outbox", { key: crypto.randomUUID(), kind: "nudgeOpened", payload: { id }, createdAt: Date.now(), attempts: 0 });
  } finally {
    db.close();
  }
}

export function onNotificationClick(event: NotificationEvent): void {
  event.notification.close();
  const data = (event.notification.data ?? {}) as Partial<NotificationData>;
  const url = safePath(data.url);
  event.waitUntil(
    Promise.all([
      openApp(self.clients, self.location.origin, url),
      typeof data.id === "number" ? markOpened(data.id).catch(() => undefined) : undefined,
    ]),
  );
}
