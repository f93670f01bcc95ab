import type { Schemas } from "../api/client";
import { api } from "../app/api";
import type { Sender } from "../offline/queue";
import { invalidate, stored } from "./resources";

export type ProfileUpdate = Schemas["ProfileUpdate"];

/** Replays a queued profile change; the answer becomes the profile this phone shows. Visibility and
 * interests change who is suggested, so suggestions are fetched again too. */
export const sendProfile: Sender = async (payload, key) => {
  const result = await api.PATCH("/api/me", {
    body: payload as ProfileUpdate,
    headers: { "Idempotency-Key": key },
  });
  if (result.data) {
    await stored("profile", result.data);
    invalidate("suggestions");
  }
  return result;
};
