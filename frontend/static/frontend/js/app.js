/* 众包 web app: live notifications over a websocket. An enhancement only: every page works
   without it. No inline handlers; all text is inserted with textContent. */
(function () {
  "use strict";

  var bellCount = function () { return document.querySelector("[data-bell-count]"); };
  var bell = document.querySelector("[data-bell]");
  if (!bell || !("WebSocket" in window)) { return; }

  function setCount(n) {
    var el = bellCount();
    if (!el) { return; }
    el.textContent = n > 99 ? "99+" : String(n);
    el.hidden = n <= 0;
  }

  function currentCount() {
    var el = bellCount();
    if (!el || el.hidden) { return 0; }
    var n = parseInt(el.textContent, 10);
    return isNaN(n) ? 0 : n;
  }

  function isLocalPath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\";
  }

  function toast(notification) {
    var box = document.getElementById("toasts");
    if (!box) { return; }
    var item = document.createElement("div");
    item.className = "toast";
    item.setAttribute("role", "status");
    var title = document.createElement("strong");
    if (isLocalPath(notification.url)) {
      var link = document.createElement("a");
      link.href = notification.url;
      link.textContent = notification.title || "";
      title.appendChild(link);
    } else {
      title.textContent = notification.title || "";
    }
    item.appendChild(title);
    if (notification.body) {
      var body = document.createElement("p");
      body.textContent = String(notification.body).slice(0, 240);
      item.appendChild(body);
    }
    box.appendChild(item);
    window.setTimeout(function () { item.remove(); }, 8000);
  }

  // The poster's bid list: a new negotiation message or offer raises that bid's unread pill.
  function liveBidList(notification) {
    var match = /^\/bids\/(\d+)\/negotiation\/$/.exec(notification.url || "");
    if (!match || String(notification.kind || "").indexOf("negotiation") !== 0) { return; }
    var pill = document.querySelector("[data-bid-unread='" + match[1] + "']");
    if (!pill) { return; }
    var n = parseInt(pill.textContent, 10);
    pill.textContent = String((isNaN(n) ? 0 : n) + 1);
    pill.hidden = false;
  }

  var delay = 1000;
  var maxDelay = 30000;
  var socket = null;
  var closedByUs = false;

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    } catch (e) {
      schedule();
      return;
    }
    socket.addEventListener("open", function () { delay = 1000; });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (!data || data.type !== "notification" || !data.notification) { return; }
      setCount(currentCount() + 1);
      toast(data.notification);
      liveBidList(data.notification);
    });
    socket.addEventListener("close", function (event) {
      // 4401: not signed in any more; do not keep knocking.
      if (closedByUs || event.code === 4401) { return; }
      schedule();
    });
  }

  function schedule() {
    var wait = delay + Math.floor(Math.random() * 500);
    delay = Math.min(delay * 2, maxDelay);
    window.setTimeout(connect, wait);
  }

  window.addEventListener("pagehide", function () {
    closedByUs = true;
    if (socket) { socket.close(); }
  });

  connect();
}());
