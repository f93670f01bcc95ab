import { createStore } from "../../app/store";
import { database } from "../../offline/db";

/** Chromium's install prompt, kept from `beforeinstallprompt` until the person taps Install. */
interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: "accepted" | "dismissed" }>;
}

export type InstallOffer = "prompt" | "ios" | null;

const DISMISSED_KEY = "installHintDismissed";
let deferred: InstallPromptEvent | null = null;

export const installOffer = createStore<InstallOffer>(null);
export const installHintDismissed = createStore(false);

const standalone = () =>
  window.matchMedia("(display-mode: standalone)").matches ||
  (navigator as Navigator & { standalone?: boolean }).standalone === true;

/** iOS has no install prompt: Safari needs "Add to Home Screen" (and only then allows push). An iPad
 * says it is a Mac: a Mac with a touch screen is one. Other iOS browsers have no such menu item. */
export function isIosSafari(userAgent: string, maxTouchPoints: number): boolean {
  const ios = /iphone|ipad|ipod/i.test(userAgent) || (/macintosh/i.test(userAgent) && maxTouchPoints > 1);
  return ios && /safari/i.test(userAgent) && !/crios|fxios|edgios/i.test(userAgent);
}

/** Listens early: Chromium fires `beforeinstallprompt` once, soon after load. */
export async function watchInstallability(): Promise<void> {
  if (standalone()) return;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    deferred = event as InstallPromptEvent;
    installOffer.set("prompt");
  });
  window.addEventListener("appinstalled", () => installOffer.set(null));
  if (isIosSafari(navigator.userAgent, navigator.maxTouchPoints)) installOffer.set("ios");
  if (await (await database()).get("kv", DISMISSED_KEY)) installHintDismissed.set(true);
}

export async function install(): Promise<void> {
  if (!deferred) return;
  await deferred.prompt();
  await deferred.userChoice;
  deferred = null;
  installOffer.set(null);
}

export async function dismissInstallHint(): Promise<void> {
  installHintDismissed.set(true);
  await (await database()).put("kv", true, DISMISSED_KEY);
}
