import { api } from "../app/api";
import type { Sender } from "../offline/queue";
import { invalidate } from "./resources";

export interface SaveRequest {
  attendee_id: number;
}

/** Save for later: private, never told to them; they come back among suggestions when both are present. */
export const sendSave: Sender = async (payload, key) => {
  const { attendee_id } = payload as SaveRequest;
  const result = await api.PUT("/api/me/saved/{attendee_id}", {
    params: { path: { attendee_id } },
    headers: { "Idempotency-Key": key },
  });
  if (result.response.ok) invalidate("saved", "suggestions");
  return result;
};

export const sendForgetSaved: Sender = async (payload, key) => {
  const { attendee_id } = payload as SaveRequest;
  const result = await api.DELETE("/api/me/saved/{attendee_id}", {
    params: { path: { attendee_id } },
    headers: { "Idempotency-Key": key },
  });
  if (result.response.ok) invalidate("saved", "suggestions");
  return result;
};
