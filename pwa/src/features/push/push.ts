import { unwrap } from "../../api/client";
import { api } from "../../app/api";
import { outbox } from "../../app/outbox";
import type { Outcome } from "../../offline/queue";

export type PushSupport = "ok" | "unsupported" | "install-first";

/** Web Push needs a service worker, PushManager and Notification; on iOS only once added to the home screen. */
export function pushSupport(): PushSupport {
  if ("serviceWorker" in navigator && "PushManager" in window && "Notification" in window) return "ok";
  return /iphone|ipad|ipod/i.test(navigator.userAgent) ? "install-first" : "unsupported";
}

/** The VAPID key arrives base64url-encoded; PushManager wants its bytes. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Is this phone subscribed (permission granted and a subscription held)? */
export async function deviceSubscribed(): Promise<boolean> {
  if (pushSupport() !== "ok" || Notification.permission !== "granted") return false;
  const registration = await navigator.serviceWorker.getRegistration();
  return Boolean(await registration?.pushManager.getSubscription());
}

export type SubscribeResult = "subscribed" | "pending" | "denied" | "failed";

/** A browser's push service may never answer (Chromium without its push service hangs for good): past this,
 * the switch says "failed, try again" rather than stay greyed. */
export const SUBSCRIBE_TIMEOUT_MS = 8000;

class TimedOut extends Error {}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimedOut()), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function browserSubscription(): Promise<PushSubscription> {
  const registration = await navigator.serviceWorker.ready;
  const held = await registration.pushManager.getSubscription();
  if (held) return held;
  const { public_key } = await unwrap(api.GET("/api/push/vapid-public-key"));
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(public_key) });
}

/** From a tap (iOS refuses otherwise): ask permission, subscribe with the server's VAPID key, then hand the
 * subscription to the server through the outbox (a flaky network retries with the same key). Always answers
 * within SUBSCRIBE_TIMEOUT_MS once permission is given. */
export async function subscribeThisDevice(): Promise<SubscribeResult> {
  if ((await Notification.requestPermission()) !== "granted") return "denied";
  const started = Date.now();
  let subscription: PushSubscription;
  try {
    subscription = await within(browserSubscription(), SUBSCRIBE_TIMEOUT_MS);
  } catch {
    return "failed";
  }
  try {
    // Queued before it is sent: if the network is slow, it goes later, and the switch says so.
    const left = Math.max(SUBSCRIBE_TIMEOUT_MS - (Date.now() - started), 1000);
    const outcome: Outcome = await within(outbox.submit("pushSubscription", subscription.toJSON()), left);
    return outcome.state === "sent" ? "subscribed" : outcome.state === "pending" ? "pending" : "failed";
  } catch (error) {
    return error instanceof TimedOut ? "pending" : "failed";
  }
}
