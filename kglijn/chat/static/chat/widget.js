/* kglijn chat — the parent's widget (docs/chat.md). Vanilla JS, no dependencies.
 *
 * Protocol: on (re)connect say {type: "hello", last_seq: n}; the server sends the state and
 * every stored message after n, then live ones, each exactly once and in order. Messages are
 * sent with a client id and kept (also across a page reload, in sessionStorage) until the
 * server's copy with that id comes back: a message sent during a network drop is re-sent and
 * stored once. The widget holds no text of its own: the words come from #chat-texts.
 */
(function () {
  "use strict";

  // How a message looks: static/chat/messages.js, shared with the other chat page.
  var element = window.KGLijnChat.element;
  var renderMessage = window.KGLijnChat.renderMessage;

  var root = document.querySelector("[data-chat-widget]");
  if (!root) return;
  var texts = JSON.parse(document.getElementById("chat-texts").textContent);
  var log = root.querySelector("[data-chat-log]");
  var statusEl = root.querySelector("[data-chat-status]");
  var typingEl = root.querySelector("[data-chat-typing]");
  var alertEl = root.querySelector("[data-chat-alert]");
  var composer = root.querySelector("[data-chat-composer]");
  var input = root.querySelector("[data-chat-input]");
  var endForm = root.querySelector("[data-chat-end]");

  var socket = null;
  var retry = 0;
  var lastSeq = 0;
  var chatId = null;
  var finished = false;
  var pending = [];
  var typingSentAt = 0;
  var typingIdle = null;
  var typingHide = null;
  var PING_MS = 30000;

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, key) {
      return values[key] !== undefined && values[key] !== null ? String(values[key]) : match;
    });
  }

  function setStatus(text) {
    if (statusEl.textContent !== text) statusEl.textContent = text;
  }

  function showAlert(text) {
    alertEl.textContent = text;
    alertEl.hidden = !text;
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function storageKey() {
    return chatId === null ? null : "kglijn-chat-pending-" + chatId;
  }

  function savePending() {
    var key = storageKey();
    if (!key) return;
    try {
      window.sessionStorage.setItem(key, JSON.stringify(pending));
    } catch (e) { /* private mode: pending lives in memory only */ }
  }

  function loadPending() {
    var key = storageKey();
    if (!key) return [];
    try {
      return JSON.parse(window.sessionStorage.getItem(key) || "[]");
    } catch (e) {
      return [];
    }
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }



  function renderPending(entry) {
    var item = element("li", "msg msg--parent msg--mine msg--pending");
    item.dataset.clientId = entry.client_id;
    var meta = element("p", "msg__meta");
    meta.appendChild(element("span", "msg__who", texts.you));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(element("span", "msg__pending", texts.sending));
    item.appendChild(meta);
    item.appendChild(element("p", "msg__body", entry.body));
    log.appendChild(item);
    scrollDown();
  }

  function dropPending(clientId) {
    pending = pending.filter(function (entry) { return entry.client_id !== clientId; });
    savePending();
    var node = log.querySelector('[data-client-id="' + CSS.escape(clientId) + '"]');
    if (node) node.remove();
  }

  function onMessage(message) {
    if (message.seq <= lastSeq) return;
    lastSeq = message.seq;
    if (message.client_id) dropPending(message.client_id);
    var firstPending = log.querySelector(".msg--pending");
    log.insertBefore(renderMessage(message), firstPending);
    if (message.sender === "nurse") typingEl.hidden = true;
    scrollDown();
  }

  function queueText(figures) {
    var parts = [];
    if (figures.position) parts.push(fmt(texts.queued, { position: figures.position }));
    if (figures.wait_seconds === null || figures.wait_seconds === undefined) {
      parts.push(texts.wait_unknown);
    } else if (figures.wait_seconds === 0) {
      parts.push(texts.wait_now);
    } else {
      var minutes = Math.max(1, Math.ceil(figures.wait_seconds / 60));
      parts.push(minutes === 1 ? texts.wait_one : fmt(texts.wait_minutes, { minutes: minutes }));
    }
    return parts.join(" ");
  }

  function finish() {
    finished = true;
    if (socket) socket.close();
    try {
      window.sessionStorage.removeItem(storageKey());
    } catch (e) { /* nothing kept */ }
    // The page shows the ended chat: transcript, download and the survey.
    window.location.reload();
  }

  function onState(state) {
    if (state.status === "gone") {
      setStatus(texts.gone);
      composer.hidden = true;
      finished = true;
      return;
    }
    var first = chatId === null;
    chatId = state.chat;
    if (state.status === "ended" || state.status === "wrapped") {
      setStatus(texts.ended);
      finish();
      return;
    }
    if (state.status === "queued") setStatus(queueText(state));
    else if (state.status === "active") {
      setStatus(state.nurse ? fmt(texts.active, { nurse: state.nurse }) : texts.active_anonymous);
    }
    if (first) {
      loadPending().forEach(function (entry) {
        if (!pending.some(function (p) { return p.client_id === entry.client_id; })) {
          pending.push(entry);
          renderPending(entry);
        }
      });
    }
    savePending();
    pending.forEach(sendEntry);
  }

  function handle(data) {
    switch (data.type) {
      case "state": onState(data); break;
      case "message": onMessage(data); break;
      case "queue": setStatus(queueText(data)); break;
      case "typing":
        typingEl.hidden = !data.active;
        window.clearTimeout(typingHide);
        if (data.active) typingHide = window.setTimeout(function () { typingEl.hidden = true; }, 6000);
        break;
      case "rate_limited":
      case "error":
        showAlert(data.message || "");
        if (data.client_id) {
          var entry = pending.find(function (p) { return p.client_id === data.client_id; });
          dropPending(data.client_id);
          // Not stored: give the text back so nothing typed is lost.
          if (entry) input.value = input.value.trim() ? input.value + "\n" + entry.body : entry.body;
        }
        break;
      default: break;
    }
  }

  function send(payload) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(payload));
      return true;
    }
    return false;
  }

  function sendEntry(entry) {
    send({ type: "message", body: entry.body, client_id: entry.client_id });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.dataset.wsPath);
    socket.addEventListener("open", function () {
      retry = 0;
      send({ type: "hello", last_seq: lastSeq });
    });
    socket.addEventListener("message", function (event) {
      handle(JSON.parse(event.data));
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      if (finished) return;
      if (event.code === 4401) {
        setStatus(texts.gone);
        composer.hidden = true;
        return;
      }
      setStatus(texts.reconnecting);
      window.setTimeout(connect, Math.min(10000, 500 * Math.pow(2, retry++)));
    });
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!body) return;
    showAlert("");
    var entry = { client_id: newId(), body: body };
    pending.push(entry);
    savePending();
    renderPending(entry);
    input.value = "";
    sendTyping(false);
    sendEntry(entry);
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  function sendTyping(active) {
    window.clearTimeout(typingIdle);
    if (active) {
      var now = Date.now();
      if (now - typingSentAt > 2000) {
        typingSentAt = now;
        send({ type: "typing", active: true });
      }
      typingIdle = window.setTimeout(function () { sendTyping(false); }, 3000);
    } else if (typingSentAt) {
      typingSentAt = 0;
      send({ type: "typing", active: false });
    }
  }

  input.addEventListener("input", function () { sendTyping(input.value.length > 0); });

  if (endForm) {
    endForm.addEventListener("submit", function (event) {
      if (!window.confirm(texts.end_confirm)) event.preventDefault();
      else finished = true;
    });
  }

  window.setInterval(function () { send({ type: "ping" }); }, PING_MS);
  setStatus(texts.connecting);
  connect();
})();
