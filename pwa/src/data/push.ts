import type { Schemas } from "../api/client";
import { api } from "../app/api";
import type { Sender } from "../offline/queue";
import { stored } from "./resources";

export type Subscription = Schemas["SubscriptionCreate"];

/** Which notifications, and the global switch: PUT sets them whole, so a replay is harmless. */
export const sendPushPreferences: Sender = async (payload, key) => {
  const result = await api.PUT("/api/me/push-preferences", {
    body: payload as Schemas["PushPreferences"],
    headers: { "Idempotency-Key": key },
  });
  if (result.data) await stored("pushPreferences", result.data);
  return result;
};

/** This device's PushSubscription: the same endpoint again only updates its keys on the server. */
export const sendPushSubscription: Sender = (payload, key) =>
  api.POST("/api/me/push-subscriptions", { body: payload as Subscription, headers: { "Idempotency-Key": key } });

/** A tapped notification the service worker could not report itself (its session had expired). A nudge
 * that is gone is no error worth showing: counted as done. */
export const sendNudgeOpened: Sender = async (payload) => {
  const { id } = payload as { id: number };
  const result = await api.POST("/api/me/nudges/{nudge_id}/opened", { params: { path: { nudge_id: id } } });
  return result.response.status === 404 ? { response: { status: 204 } } : result;
};

/** Signing out: pushes stop reaching this phone (the server forgets its endpoint, the browser the
 * subscription), so a shared phone never shows the last person's nudges. Best effort. */
export async function unsubscribeThisDevice({ tellServer = true } = {}): Promise<void> {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager?.getSubscription();
  if (!subscription) return;
  if (tellServer) {
    await api
      .DELETE("/api/me/push-subscriptions", { params: { query: { endpoint: subscription.endpoint } } })
      .catch(() => undefined);
  }
  await subscription.unsubscribe().catch(() => undefined);
}
