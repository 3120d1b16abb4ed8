/* 众包 negotiation room: live messages and offers over /ws/negotiations/<id>/.
   An enhancement only: without it every form posts and the page reloads. Every entry has a
   sequence number; after a dropped connection the socket reconnects with backoff and asks
   for everything after the last number seen, so nothing is lost. No inline handlers; all
   text is inserted with textContent. */
(function () {
  "use strict";

  var root = document.querySelector("[data-negotiation]");
  if (!root || !("WebSocket" in window)) { return; }

  var list = root.querySelector("[data-messages]");
  var form = root.querySelector("[data-message-form]");
  var stateOut = root.querySelector("[data-live-state]");
  var typingOut = root.querySelector("[data-typing]");
  var panel = root.querySelector("[data-offer-panel]");
  var side = root.getAttribute("data-side");
  var canAccept = root.getAttribute("data-can-accept") === "1";
  var canWrite = root.getAttribute("data-can-write") === "1";
  var lastSeq = parseInt(root.getAttribute("data-last-seq"), 10) || 0;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var seen = {};
  Array.prototype.forEach.call(list.querySelectorAll("[data-seq]"), function (li) {
    seen[li.getAttribute("data-seq")] = true;
  });

  function t(key) { return root.getAttribute("data-t-" + key) || ""; }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function due(n) { return (t("due") || "{n}").replace("{n}", String(n)); }
  function sideName(s) { return s === "poster" ? t("poster") : t("provider"); }
  function setState(text, live) {
    if (!stateOut) { return; }
    stateOut.textContent = text;
    stateOut.classList.toggle("is-live", !!live);
  }

  /* ---------- rendering ---------- */

  function offerBlock(offer) {
    var box = el("div", "chat-offer");
    box.setAttribute("data-offer-id", offer.id);
    var head = el("div", "chat-offer-head");
    head.appendChild(el("strong", "", t("offer")));
    head.appendChild(document.createTextNode(" "));
    head.appendChild(el("span", "badge badge-neutral", offer.status_display)).setAttribute("data-offer-status", "");
    box.appendChild(head);
    var dl = el("dl", "offer-figures");
    var price = el("div");
    price.appendChild(el("dt", "", t("price")));
    price.appendChild(el("dd")).appendChild(el("strong", "", offer.amount_display));
    var days = el("div");
    days.appendChild(el("dt", "", t("duration")));
    days.appendChild(el("dd")).appendChild(el("strong", "", offer.duration_days + " " + t("days")));
    dl.appendChild(price);
    dl.appendChild(days);
    box.appendChild(dl);
    var ol = el("ol", "plan-summary");
    (offer.milestones || []).forEach(function (m) {
      var li = el("li");
      li.appendChild(el("span", "", m.title));
      li.appendChild(el("span", "muted", m.amount_display + " · " + due(m.due_days)));
      ol.appendChild(li);
    });
    box.appendChild(ol);
    if (offer.note) { box.appendChild(el("p", "chat-body prose", offer.note)); }
    return box;
  }

  function render(m) {
    var li = el("li", "chat-item chat-" + m.side + " chat-kind-" + m.kind);
    if (m.side === side) { li.classList.add("chat-mine"); }
    li.id = "m-" + m.seq;
    li.setAttribute("data-seq", m.seq);
    var meta = el("div", "chat-meta small");
    meta.appendChild(el("strong", "", m.sender));
    meta.appendChild(document.createTextNode(" "));
    var when = new Date(m.created_at);
    meta.appendChild(el("span", "muted", sideName(m.side) + " · " + when.toLocaleString()));
    li.appendChild(meta);
    if (m.hidden) {
      if (m.kind === "offer" && m.offer) { li.appendChild(offerBlock(m.offer)); }
      var gone = el("p", "chat-body chat-hidden muted", (t("hidden") || "{reason}").replace("{reason}", m.hidden_reason || ""));
      gone.setAttribute("data-hidden", "");
      li.appendChild(gone);
    } else if (m.kind === "offer" && m.offer) {
      li.appendChild(offerBlock(m.offer));
    } else if (m.kind === "accepted" && m.offer) {
      li.appendChild(el("p", "chat-body chat-event",
        t("accepted") + ": " + m.offer.amount_display + ", " + m.offer.duration_days + " " + t("days")));
    } else if (m.kind === "declined") {
      li.appendChild(el("p", "chat-body chat-event", t("declined") + (m.body ? ": " + m.body : "")));
    } else if (m.kind === "file" && m.file) {
      var p = el("p", "chat-body");
      var a = el("a", "", m.file.name);
      a.href = m.file.url;
      a.setAttribute("download", "");
      p.appendChild(a);
      li.appendChild(p);
      if (m.body) { li.appendChild(el("p", "chat-body prose", m.body)); }
    } else {
      li.appendChild(el("p", "chat-body prose", m.body));
    }
    return li;
  }

  function insert(m) {
    var key = String(m.seq);
    if (seen[key]) { return false; }
    seen[key] = true;
    var empty = list.querySelector("[data-empty]");
    if (empty) { empty.remove(); }
    var pending = m.client_id ? list.querySelector("[data-pending='" + m.client_id + "']") : null;
    if (pending) { pending.remove(); }
    var node = render(m);
    // Keep sequence order even when a replay and a live entry cross.
    var after = null;
    Array.prototype.forEach.call(list.querySelectorAll("[data-seq]"), function (li) {
      if (parseInt(li.getAttribute("data-seq"), 10) < m.seq) { after = li; }
    });
    if (after) { after.after(node); } else { list.insertBefore(node, list.firstChild); }
    var firstPending = list.querySelector("[data-pending]");
    if (firstPending) { list.appendChild(firstPending); }
    node.scrollIntoView({ block: "nearest" });
    return true;
  }

  function markOffers(offer) {
    Array.prototype.forEach.call(list.querySelectorAll("[data-offer-id]"), function (box) {
      var status = box.querySelector("[data-offer-status], .badge");
      if (!status) { return; }
      if (String(box.getAttribute("data-offer-id")) === String(offer.id)) {
        status.textContent = offer.status_display;
      }
    });
  }

  function showOffer(m) {
    if (!panel || !m.offer) { return; }
    var offer = m.offer;
    if (m.kind === "accepted") {
      var amount = root.querySelector("[data-terms-amount]");
      var days = root.querySelector("[data-terms-days]");
      var milestones = root.querySelector("[data-terms-milestones]");
      if (amount) { amount.textContent = offer.amount_display; }
      if (days) { days.textContent = offer.duration_days + " " + t("days"); }
      if (milestones) {
        milestones.textContent = "";
        offer.milestones.forEach(function (ms) {
          var li = el("li");
          li.appendChild(el("span", "", ms.title));
          li.appendChild(el("span", "muted", ms.amount_display + " · " + due(ms.due_days)));
          milestones.appendChild(li);
        });
      }
    }
    panel.textContent = "";
    panel.appendChild(el("p", "small", sideName(offer.side) + " · " + offer.status_display));
    panel.appendChild(offerBlock(offer));
    if (m.kind === "offer" && offer.status === "open" && offer.side !== side && canWrite) {
      var actions = el("div", "offer-actions");
      if (canAccept) { actions.appendChild(answerForm("accept", offer.id, t("accept"), "btn")); }
      actions.appendChild(answerForm("decline", offer.id, t("decline"), "btn btn-secondary"));
      panel.appendChild(actions);
    }
  }

  function answerForm(kind, offerId, label, cls) {
    var f = el("form");
    f.method = "post";
    f.action = root.getAttribute("data-" + kind + "-url").replace("/0/", "/" + offerId + "/");
    f.setAttribute("data-offer-" + kind, offerId);
    var token = el("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = csrf;
    f.appendChild(token);
    var button = el("button", cls, label);
    button.type = "submit";
    f.appendChild(button);
    return f;
  }

  function receive(m) {
    if (m.seq > lastSeq + 1 && !syncing) {
      // A gap: something was broadcast while this socket was away; fetch it in order.
      requestSync();
    }
    if (insert(m)) {
      if (m.offer) { markOffers(m.offer); showOffer(m); }
      if (m.seq > lastSeq && !syncing) { lastSeq = m.seq; }
      markRead();
    }
  }

  /* ---------- the socket ---------- */

  var socket = null;
  var delay = 1000;
  var maxDelay = 30000;
  var closedByUs = false;
  var holdUntil = 0;
  var syncing = false;
  var readTimer = null;
  var typingTimer = null;
  var lastTyping = 0;

  function open() { return socket && socket.readyState === WebSocket.OPEN; }
  function send(frame) { if (open()) { socket.send(JSON.stringify(frame)); return true; } return false; }
  function requestSync() { syncing = true; send({ type: "sync", after: lastSeq }); }
  function markRead() {
    if (document.hidden) { return; }
    window.clearTimeout(readTimer);
    readTimer = window.setTimeout(function () { send({ type: "read", seq: lastSeq }); }, 400);
  }

  function connect() {
    var wait = holdUntil - Date.now();
    if (wait > 0) { window.setTimeout(connect, wait); return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + root.getAttribute("data-ws"));
    } catch (e) {
      schedule();
      return;
    }
    socket.addEventListener("open", function () {
      delay = 1000;
      setState(t("live"), true);
      root.setAttribute("data-connected", "1");
    });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (!data) { return; }
      if (data.type === "ready") {
        canWrite = !!data.can_write;
        requestSync();
      } else if (data.type === "sync") {
        data.messages.forEach(function (m) {
          if (insert(m) && m.offer) { markOffers(m.offer); showOffer(m); }
          if (m.seq > lastSeq) { lastSeq = m.seq; }
        });
        if (data.more) { send({ type: "sync", after: lastSeq }); } else { syncing = false; markRead(); }
        root.setAttribute("data-synced", String(lastSeq));
      } else if (data.type === "message") {
        receive(data.message);
      } else if (data.type === "hidden" && data.message) {
        // A moderator hid (or showed again) an entry: replace it where it stands.
        var shown = list.querySelector("[data-seq='" + data.message.seq + "']");
        if (shown) {
          var fresh = render(data.message);
          if (shown.classList.contains("chat-mine")) { fresh.classList.add("chat-mine"); }
          shown.replaceWith(fresh);
        }
      } else if (data.type === "ack") {
        if (data.message) { receive(data.message); }
      } else if (data.type === "error") {
        var pending = data.client_id ? list.querySelector("[data-pending='" + data.client_id + "']") : null;
        if (pending) { pending.classList.add("has-error"); pending.querySelector(".chat-meta").textContent = data.message; }
        else { window.alert(data.message); }
      } else if (data.type === "typing" && typingOut) {
        typingOut.textContent = data.user + " " + t("typing");
        typingOut.hidden = false;
        window.clearTimeout(typingTimer);
        typingTimer = window.setTimeout(function () { typingOut.hidden = true; }, 3000);
      } else if (data.type === "presence" && typingOut) {
        typingOut.textContent = data.user + " · " + (data.online ? t("online") : t("offline"));
        typingOut.hidden = false;
        window.clearTimeout(typingTimer);
        typingTimer = window.setTimeout(function () { typingOut.hidden = true; }, 3000);
      } else if (data.type === "closed") {
        canWrite = false;
        if (form) { form.hidden = true; }
        var note = el("p", "alert alert-info", t("closed"));
        list.after(note);
      }
    });
    socket.addEventListener("close", function (event) {
      root.removeAttribute("data-connected");
      // 4401 signed out, 4403 no longer a side of this negotiation: stop knocking.
      if (closedByUs || event.code === 4401 || event.code === 4403) { setState(""); return; }
      setState(t("reconnecting"), false);
      schedule();
    });
  }

  function schedule() {
    var wait = delay + Math.floor(Math.random() * 500);
    delay = Math.min(delay * 2, maxDelay);
    window.setTimeout(connect, wait);
  }

  /* ---------- sending ---------- */

  if (form) {
    var body = form.querySelector("textarea[name=body]");
    var file = form.querySelector("input[type=file]");
    var clientId = form.querySelector("input[name=client_id]");
    form.addEventListener("submit", function (event) {
      // Files and a closed socket take the ordinary form post (stored, then the page reloads).
      if (!open() || (file && file.files && file.files.length) || !body.value.trim()) { return; }
      event.preventDefault();
      var id = clientId.value || uuid();
      var pending = el("li", "chat-item chat-" + side + " chat-mine is-pending");
      pending.setAttribute("data-pending", id);
      pending.appendChild(el("div", "chat-meta small muted", t("sending")));
      pending.appendChild(el("p", "chat-body prose", body.value));
      list.appendChild(pending);
      send({ type: "message", body: body.value, client_id: id });
      body.value = "";
      clientId.value = uuid();
    });
    body.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTyping > 2000) { lastTyping = now; send({ type: "typing" }); }
    });
  }

  root.addEventListener("submit", function (event) {
    var target = event.target;
    var accept = target.getAttribute("data-offer-accept");
    var decline = target.getAttribute("data-offer-decline");
    if ((!accept && !decline) || !open()) { return; }
    event.preventDefault();
    send(accept ? { type: "accept", offer: parseInt(accept, 10) } : { type: "decline", offer: parseInt(decline, 10) });
    Array.prototype.forEach.call(target.parentNode.querySelectorAll("button"), function (b) { b.disabled = true; });
  });

  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("pagehide", function () { closedByUs = true; if (socket) { socket.close(); } });

  // For tests and diagnostics: drop the connection as a flaky network would, and hold off the
  // reconnect for `ms` milliseconds.
  list.scrollTop = list.scrollHeight;  // the latest messages first in view

  window.zhongbaoNegotiation = {
    drop: function (ms) { holdUntil = Date.now() + (ms || 0); if (socket) { socket.close(); } },
    lastSeq: function () { return lastSeq; }
  };

  connect();
}());
