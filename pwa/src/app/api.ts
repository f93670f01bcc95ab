import { createApi } from "../api/client";
import { tokenStore } from "../auth/session";
import { exclusive } from "./locks";
import { currentPath, navigate } from "./router";
import { createStore } from "./store";

/** When a request last worked: the outbox replays then, the network is evidently back. */
export const lastSuccess = createStore(0);

export const api = createApi({
  tokens: tokenStore,
  exclusive: exclusive("couloir-refresh"),
  onSuccess: () => lastSuccess.set(Date.now()),
  // Cached data and queued writes stay: signing in again picks them up.
  onSignedOut: () =>
    navigate(currentPath.get().startsWith("/organizer") ? "/organizer?expired=1" : "/login?expired=1", {
      replace: true,
    }),
});
