// Reads .ics files with Mozilla's ical.js and prints every meeting they hold, for tests/test_calendar.py.
// stdin: [{"ics": "<file text>", "until": "2029-03-01T00:00:00Z"}, ...]
// stdout: one result per file: its METHOD and each VEVENT's UID, SEQUENCE, STATUS, SUMMARY and
// occurrences before `until`, each with its start and end as UTC instants and the local wall time.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function wall(time) {
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  return `${pad(time.year, 4)}-${pad(time.month)}-${pad(time.day)}T${pad(time.hour)}:${pad(time.minute)}`;
}

function instant(time) {
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

function expand(file) {
  const calendar = new ICAL.Component(ICAL.parse(file.ics));
  const until = ICAL.Time.fromJSDate(new Date(file.until), true);
  const events = calendar.getAllSubcomponents("vevent").map((component) => new ICAL.Event(component));
  const series = events.filter((event) => !event.isRecurrenceException());
  for (const exception of events.filter((event) => event.isRecurrenceException())) {
    series.find((event) => event.uid === exception.uid).relateException(exception);
  }
  return {
    method: calendar.getFirstPropertyValue("method"),
    timezones: calendar.getAllSubcomponents("vtimezone").map((zone) => zone.getFirstPropertyValue("tzid")),
    events: series.map((event) => {
      const occurrences = [];
      const iterator = event.iterator();
      for (let next = iterator.next(); next && next.compare(until) < 0; next = iterator.next()) {
        const details = event.getOccurrenceDetails(next);
        if (details.startDate.zone.component === undefined || details.startDate.zone.component === null) {
          throw new Error(`ical.js read ${event.uid} without the file's VTIMEZONE`);
        }
        occurrences.push({
          start: instant(details.startDate),
          end: instant(details.endDate),
          local: wall(details.startDate),
          tzid: details.startDate.zone.tzid,
        });
      }
      return {
        uid: event.uid,
        sequence: event.sequence,
        status: event.component.getFirstPropertyValue("status"),
        summary: event.summary,
        occurrences,
      };
    }),
  };
}

const files = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(files.map(expand)));
