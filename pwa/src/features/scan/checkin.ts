import { outbox } from "../../app/outbox";
import type { Outcome } from "../../offline/queue";
import type { CheckinRequest } from "./zoneLink";

/** Queues a check-in with its Idempotency-Key and sends it now if the network allows; a check-in made
 * offline is replayed later with the same key, so the server records it once. */
export function saveCheckin(request: CheckinRequest): Promise<Outcome> {
  return outbox.submit("checkin", request);
}

/** A scanned personal connect code: queued the same way (POST /api/contacts/scan). */
export function saveConnectScan(code: string): Promise<Outcome> {
  return outbox.submit("connectScan", { code });
}
