import type { MessageKey } from "../i18n";
import { createStore } from "./store";

/** A one-off message for the toast area, e.g. after the account is deleted. */
export const notice = createStore<MessageKey | null>(null);
