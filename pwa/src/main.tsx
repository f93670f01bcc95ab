import { render } from "preact";
import { App } from "./app/App";
import { outbox, startSync } from "./app/outbox";
import { registerServiceWorker } from "./app/updates";
import { tokenStore } from "./auth/session";
import { watchInstallability } from "./features/install/installPrompt";
import { loadLanguage } from "./i18n";
import "./styles.css";

async function start(): Promise<void> {
  void watchInstallability();
  // The session and the language come from this phone before the first paint: no flash of the join screen.
  await Promise.all([tokenStore.reload(), loadLanguage()]);
  render(<App />, document.getElementById("app")!);
  startSync();
  // The service worker may have queued a write (a tapped notification): send it now.
  void registerServiceWorker({ onNotificationOpened: () => void outbox.replay() });
}

void start();
