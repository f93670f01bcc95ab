// Reads vCards (3.0 or 4.0) from standard input with Mozilla's ical.js, a parser Couloir does not use to
// write them, and prints each card's properties as JSON: [{name: [values…]}…], one list per property.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const parsed = ICAL.parse(readFileSync(0, "utf8"));
const cards = (typeof parsed[0] === "string" ? [parsed] : parsed).map((jcard) => {
  const properties = {};
  for (const [name, , , ...values] of jcard[1]) (properties[name] ??= []).push(values.length > 1 ? values : values[0]);
  return properties;
});
process.stdout.write(JSON.stringify(cards));
