import type { TargetedMouseEvent } from "preact";
import { createStore } from "./store";

/** The current pathname; the app's few routes need no router library. */
export const currentPath = createStore(window.location.pathname);

window.addEventListener("popstate", () => currentPath.set(window.location.pathname));

/** `path` may carry a query (/login?expired=1): screens read it from the location; routes match the path. */
export function navigate(path: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  currentPath.set(window.location.pathname);
  window.scrollTo(0, 0);
}

/** For <a href> links: in-app navigation without a page load (a modified click still opens a tab). */
export function followLink(event: TargetedMouseEvent<HTMLAnchorElement>): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute("href") ?? "/");
}

/** The parameter of a route like /join/<code>, or undefined when the path is another route. */
export function param(path: string, prefix: string): string | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const value = path.slice(prefix.length).split("/")[0];
  return value ? decodeURIComponent(value) : undefined;
}
