import { createApi } from "../api/client";
import { tokenStore } from "../auth/session";
import { exclusive } from "./locks";
import { notice } from "./notices";
import { currentPath, navigate } from "./router";
import { createStore } from "./store";

/** When a request last worked: the outbox replays then, the network is evidently back. */
export const lastSuccess = createStore(0);

export const api = createApi({
  tokens: tokenStore,
  exclusive: exclusive("couloir-refresh"),
  onSuccess: () => lastSuccess.set(Date.now()),
  // Cached data and queued writes stay: signing in again picks them up. The organizer console shows its
  // own sign-in form in place, so it only needs saying why.
  onSignedOut: () => {
    if (currentPath.get().startsWith("/organizer")) notice.set("org.signIn.expired");
    else navigate("/login?expired=1", { replace: true });
  },
});
