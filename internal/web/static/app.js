// commune's pages work without this script; it adds what needs one:
// the service worker that keeps a member's own pages readable offline,
// and times in the reader's own time zone.
//
// The pages write each time in UTC, in <time datetime="RFC 3339"
// data-local>, which this rewrites in the reader's time zone (the UTC
// time stays in its title). A form's datetime-local field NAME, which
// the browser shows in the reader's time zone, has a hidden field
// NAME_rfc3339: on submit this writes there the instant typed, with the
// reader's offset, and the server reads it before the field (which
// without this script it reads in UTC, as the form's hint says). A
// hidden field that comes filled holds a stored instant, which this
// shows in the field in the reader's time zone. An element with
// data-tz-hint gets its data-word-tz, with the zone's name for %s.
"use strict";

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  });
}

(() => {
  const pad = (n) => (n < 10 ? "0" : "") + n;
  const day = (d) => d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  const clock = (d) => pad(d.getHours()) + ":" + pad(d.getMinutes());

  // zoneName is the reader's name for the time zone at d, such as PDT
  // or GMT-7, or "" if the browser has none.
  const zoneName = (d) => {
    try {
      const part = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { timeZoneName: "short" })
        .formatToParts(d).find((p) => p.type === "timeZoneName");
      return part ? part.value : "";
    } catch (err) {
      return "";
    }
  };

  // rfc3339 writes a local date as RFC 3339 with the reader's offset.
  const rfc3339 = (d) => {
    let off = -d.getTimezoneOffset();
    const sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return day(d) + "T" + clock(d) + ":00" + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  };

  const times = () => {
    document.querySelectorAll("time[data-local]").forEach((el) => {
      const d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      el.title = el.textContent;
      el.textContent = (day(d) + " " + clock(d) + " " + zoneName(d)).trim();
    });
  };

  const fields = () => {
    let zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (err) {
      zone = "";
    }
    if (zone) {
      document.querySelectorAll("[data-tz-hint]").forEach((el) => {
        el.textContent = (el.getAttribute("data-word-tz") || "").replace("%s", zone);
      });
    }
    document.querySelectorAll("input[type=datetime-local]").forEach((input) => {
      const form = input.form;
      const out = form && form.elements.namedItem(input.name + "_rfc3339");
      if (!out) return;
      if (out.value) {
        const d = new Date(out.value);
        if (!isNaN(d)) input.value = day(d) + "T" + clock(d);
      }
      form.addEventListener("submit", () => {
        const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(input.value || "");
        out.value = m ? rfc3339(new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5])) : "";
      });
    });
  };

  const all = () => {
    times();
    fields();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
