/// The dashboard's stylesheet and script, served by Vigil itself (no CDN, no build step).
///
/// The script is the only one the page runs: it ticks each countdown once a second, against
/// the server's clock (`data-now` on `<main>`, so a wrong clock on a phone does not move a
/// legal deadline), and every `data-refresh` seconds fetches a fresh `<main>` and swaps it in.
/// A failed refresh keeps the last figures and says so; a lapsed session reloads the page,
/// which then asks to sign in.
enum DashboardAssets {
    static let script = #"""
        (function () {
          "use strict";
          var offset = 0;
          function main() { return document.getElementById("dashboard"); }
          function sync() {
            var m = main();
            if (m && m.dataset.now) { offset = Number(m.dataset.now) - Date.now(); }
          }
          function two(n) { return n < 10 ? "0" + n : String(n); }
          function countdown(ms) {
            var t = Math.floor(Math.abs(ms) / 1000);
            var d = Math.floor(t / 86400), h = Math.floor((t % 86400) / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
            var span = d > 0 ? d + "d " + h + "h " + two(m) + "m" : h > 0 ? h + "h " + two(m) + "m " + two(s) + "s" : m + "m " + two(s) + "s";
            return ms <= 0 ? span + " overdue" : "in " + span;
          }
          function tick() {
            var now = Date.now() + offset;
            var clocks = document.querySelectorAll("[data-due]");
            for (var i = 0; i < clocks.length; i++) {
              var el = clocks[i], left = Number(el.dataset.due) - now;
              el.textContent = countdown(left);
              el.classList.toggle("breached", left <= 0);
              var row = el.closest("tr");
              if (row) { row.classList.toggle("breached", left <= 0); }
              el.dataset.ticked = "true";
            }
          }
          function refresh() {
            fetch(location.pathname + "?part=main", { credentials: "same-origin", cache: "no-store" })
              .then(function (response) {
                if (response.status === 401 || response.status === 403) { location.reload(); return null; }
                if (!response.ok) { throw new Error("HTTP " + response.status); }
                return response.text();
              })
              .then(function (html) {
                if (html === null) { return; }
                var holder = document.createElement("template");
                holder.innerHTML = html;
                var fresh = holder.content.getElementById("dashboard");
                if (!fresh) { throw new Error("no dashboard in the answer"); }
                main().replaceWith(fresh);
                document.body.classList.remove("stale");
                document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
                sync();
                tick();
              })
              .catch(function () { document.body.classList.add("stale"); });
          }
          function start() {
            sync();
            tick();
            document.body.classList.add("live");
            setInterval(tick, 1000);
            var seconds = Number((main() || { dataset: {} }).dataset.refresh) || 30;
            setInterval(refresh, seconds * 1000);
          }
          if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
        })();
        """#

    static let stylesheet = #"""
        :root { --ink: #1d1f24; --muted: #5c6370; --line: #d9dce1; --bg: #f6f7f9; --card: #fff;
          --red: #c62828; --red-bg: #fdecea; --amber: #b26a00; --green: #2e7d32; --blue: #1f5fbf; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
        header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .75rem 1rem; background: var(--ink); color: #fff; }
        header h1 { margin: 0; font-size: 1.2rem; }
        header .viewer { margin: 0; flex: 1; color: #cfd3da; }
        header button { font: inherit; padding: .3rem .8rem; border-radius: .3rem; border: 1px solid #8a909a; background: transparent; color: #fff; cursor: pointer; }
        main { max-width: 80rem; margin: 0 auto; padding: 1rem; }
        h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
        h3 { font-size: 1rem; margin: 0 0 .5rem; }
        h4 { font-size: .85rem; margin: .9rem 0 .3rem; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
        section { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .25rem 1rem 1rem; margin-bottom: 1rem; }
        .freshness { color: var(--muted); margin: 0 0 .5rem; font-size: .85rem; }
        .stale-note { display: none; color: var(--red); }
        body.stale .stale-note { display: inline; }
        .tiles { display: flex; flex-wrap: wrap; gap: .75rem; padding: 1rem; }
        .tile { flex: 1 1 9rem; padding: .6rem .8rem; border-radius: .4rem; background: var(--bg); }
        .tile b { font-size: 1.6rem; display: block; }
        .tile.alert { background: var(--red-bg); color: var(--red); }
        table { width: 100%; border-collapse: collapse; }
        th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: .8rem; color: var(--muted); font-weight: 600; }
        tr.breached td { background: var(--red-bg); }
        .countdown { font-variant-numeric: tabular-nums; font-weight: 600; }
        .countdown.breached { color: var(--red); }
        .clock { color: var(--muted); font-size: .85rem; }
        .clock.legal { color: var(--blue); font-weight: 600; }
        .tag { font-size: .75rem; padding: 0 .35rem; border-radius: .25rem; background: #ede7f6; color: #4527a0; }
        .withheld, .none, .empty, .note { color: var(--muted); }
        .note { font-size: .85rem; }
        .good-news { color: var(--green); }
        meter { width: 5rem; vertical-align: middle; }
        .periods { display: grid; grid-template-columns: repeat(auto-fit, minmax(19rem, 1fr)); gap: 1rem; }
        .period { border: 1px solid var(--line); border-radius: .4rem; padding: .75rem; }
        .figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: .5rem; margin: 0; }
        .figures dt { font-size: .75rem; color: var(--muted); }
        .figures dd { margin: 0; font-weight: 600; }
        .chart { width: 100%; height: auto; display: block; }
        .chart text { font-size: 11px; fill: var(--ink); }
        .chart .track { fill: #eceef1; }
        .chart .bar.good { fill: var(--green); }
        .chart .bar.fair { fill: var(--amber); }
        .chart .bar.poor { fill: var(--red); }
        .chart .axis { stroke: var(--line); }
        .chart .opened { fill: #9db7e0; }
        .chart .resolved { fill: none; stroke: var(--green); stroke-width: 2; }
        ul.dead { padding-left: 1.2rem; }
        @media (max-width: 44rem) {
          body { font-size: 16px; }
          main { padding: .5rem; }
          section { padding: .25rem .6rem .6rem; }
          table.incidents thead, table.outbox thead { display: none; }
          table.incidents tr, table.outbox tr { display: block; border: 1px solid var(--line); border-radius: .4rem; margin: .5rem 0; }
          table.incidents td, table.outbox td { display: flex; gap: .75rem; border: 0; padding: .25rem .6rem; }
          table.incidents td::before, table.outbox td::before { content: attr(data-label); flex: 0 0 7rem; color: var(--muted); font-size: .8rem; }
          .figures { grid-template-columns: repeat(2, 1fr); }
        }
        """#
}
