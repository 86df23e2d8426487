/* kglijn chat — the nurse console (docs/chat.md). Vanilla JS, no dependencies.
 *
 * One websocket for the queue and all of the nurse's chats. On (re)connect it says
 * {type: "hello", seen: {chatId: lastSeq}}; the server sends the queue, the colleagues online,
 * each open chat and every message after the numbers seen, then live events. Each message is
 * shown once (by its number); the nurse's own messages carry a client id and are re-sent after
 * a drop until the server's copy comes back. Words come from #console-texts.
 */
(function () {
  "use strict";

  // How a message looks: static/chat/messages.js, shared with the other chat page.
  var el = window.KGLijnChat.element;
  var renderMessage = window.KGLijnChat.renderMessage;

  var root = document.querySelector("[data-chat-console]");
  if (!root) return;
  var texts = JSON.parse(document.getElementById("console-texts").textContent);
  var maxChats = Number(root.dataset.max) || 3;
  var connection = document.getElementById("console-connection");
  var queueList = root.querySelector("[data-queue-list]");
  var queueCount = root.querySelector("[data-queue-count]");
  var queueEmpty = root.querySelector("[data-queue-empty]");
  var panels = root.querySelector("[data-chat-panels]");
  var chatsEmpty = root.querySelector("[data-chats-empty]");
  var myCount = document.querySelector("[data-my-count]");
  var template = document.getElementById("chat-panel-template");

  var socket = null;
  var retry = 0;
  var chats = {};
  var colleagues = [];
  var queue = [];
  var waiting = 0;
  var lastInput = null;
  var typingSentAt = {};
  var typingIdle = {};

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, key) {
      return values[key] !== undefined && values[key] !== null ? String(values[key]) : match;
    });
  }


  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function setConnection(state, text) {
    connection.dataset.state = state;
    connection.textContent = text;
  }

  function send(payload) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(payload));
      return true;
    }
    return false;
  }

  function since(iso) {
    var seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    var minutes = Math.floor(seconds / 60);
    return minutes + ":" + String(seconds % 60).padStart(2, "0");
  }

  function activeCount() {
    return Object.keys(chats).filter(function (id) { return chats[id].status === "active"; }).length;
  }

  // --- queue ---------------------------------------------------------------------------------
  function renderQueue() {
    queueList.textContent = "";
    queueCount.textContent = String(waiting);
    queueEmpty.hidden = queue.length > 0;
    var full = activeCount() >= maxChats;
    queue.forEach(function (entry, index) {
      var item = el("li", "queue-item");
      item.dataset.chat = entry.id;
      item.appendChild(el("span", "queue-item__who", (index + 1) + ". " + (entry.first_name || texts.parent)));
      var meta = el("span", "queue-item__meta");
      meta.dataset.since = entry.created_at;
      meta.textContent = fmt(texts.waiting, { time: since(entry.created_at) }) +
        (entry.province ? " · " + entry.province : "");
      item.appendChild(meta);
      var button = el("button", "button button--primary button--small", texts.accept);
      button.type = "button";
      button.disabled = full;
      button.setAttribute("aria-label", fmt(texts.accept_label, { who: entry.first_name || texts.parent }));
      button.addEventListener("click", function () {
        button.disabled = true;
        send({ type: "accept", chat: entry.id });
      });
      item.appendChild(button);
      if (full) item.appendChild(el("span", "queue-item__meta", fmt(texts.full, { max: maxChats })));
      queueList.appendChild(item);
    });
  }

  window.setInterval(function () {
    queueList.querySelectorAll("[data-since]").forEach(function (meta) {
      var entry = queue.find(function (e) { return String(e.id) === meta.parentNode.dataset.chat; });
      if (entry) {
        meta.textContent = fmt(texts.waiting, { time: since(entry.created_at) }) +
          (entry.province ? " · " + entry.province : "");
      }
    });
  }, 5000);

  // --- chats ---------------------------------------------------------------------------------
  function updateCounts() {
    myCount.textContent = String(activeCount());
    chatsEmpty.hidden = Object.keys(chats).length > 0;
    renderQueue();
  }

  function fillColleagues(chat) {
    var select = chat.panel.querySelector("[data-colleagues]");
    var current = select.value;
    select.textContent = "";
    var choices = colleagues.filter(function (c) { return c.active < maxChats; });
    if (!choices.length) {
      var none = el("option", "", texts.no_colleagues);
      none.value = "";
      select.appendChild(none);
    }
    choices.forEach(function (c) {
      var option = el("option", "", fmt(texts.colleague, { name: c.name, active: c.active }));
      option.value = c.id;
      select.appendChild(option);
    });
    if (current) select.value = current;
    chat.panel.querySelector("[data-transfer] button").disabled = !choices.length || chat.status !== "active";
  }

  function panelFor(summary) {
    var existing = chats[summary.chat];
    if (existing) return existing;
    var fragment = template.content.cloneNode(true);
    var panel = fragment.querySelector(".chat-panel");
    var id = "chat-" + summary.chat;
    panel.id = id;
    panel.dataset.chat = summary.chat;
    panel.setAttribute("aria-labelledby", id + "-title");
    panel.querySelector("[data-title]").id = id + "-title";
    var input = panel.querySelector("[data-input]");
    input.id = id + "-input";
    panel.querySelector("[data-input-label]").setAttribute("for", input.id);
    var select = panel.querySelector("[data-colleagues]");
    select.id = id + "-transfer";
    panel.querySelector("[data-transfer-label]").setAttribute("for", select.id);
    var chat = { id: summary.chat, panel: panel, lastSeq: 0, status: summary.status, pending: [] };
    chats[summary.chat] = chat;
    wirePanel(chat);
    panels.appendChild(panel);
    fillColleagues(chat);
    return chat;
  }

  function wirePanel(chat) {
    var panel = chat.panel;
    var input = panel.querySelector("[data-input]");
    var composer = panel.querySelector("[data-composer]");
    composer.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = input.value.trim();
      if (!body) return;
      var entry = { client_id: newId(), body: body };
      chat.pending.push(entry);
      renderPending(chat, entry);
      input.value = "";
      sendTyping(chat, false);
      send({ type: "message", chat: chat.id, body: body, client_id: entry.client_id });
      input.focus();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        composer.requestSubmit();
      }
    });
    input.addEventListener("focus", function () { lastInput = input; });
    input.addEventListener("input", function () { sendTyping(chat, input.value.length > 0); });
    panel.querySelector("[data-transfer]").addEventListener("submit", function (event) {
      event.preventDefault();
      var to = panel.querySelector("[data-colleagues]").value;
      if (to && window.confirm(texts.transfer_confirm)) send({ type: "transfer", chat: chat.id, to: Number(to) });
    });
    panel.querySelector("[data-end]").addEventListener("click", function () {
      if (window.confirm(texts.end_confirm)) send({ type: "end", chat: chat.id });
    });
  }

  function sendTyping(chat, active) {
    window.clearTimeout(typingIdle[chat.id]);
    if (active) {
      var now = Date.now();
      if (now - (typingSentAt[chat.id] || 0) > 2000) {
        typingSentAt[chat.id] = now;
        send({ type: "typing", chat: chat.id, active: true });
      }
      typingIdle[chat.id] = window.setTimeout(function () { sendTyping(chat, false); }, 3000);
    } else if (typingSentAt[chat.id]) {
      typingSentAt[chat.id] = 0;
      send({ type: "typing", chat: chat.id, active: false });
    }
  }

  function onChat(summary) {
    var chat = panelFor(summary);
    chat.status = summary.status;
    chat.firstName = summary.first_name;
    var panel = chat.panel;
    panel.dataset.status = summary.status;
    panel.querySelector("[data-title]").textContent = summary.first_name || texts.parent;
    var meta = [];
    if (summary.province) meta.push(summary.province);
    if (summary.wait_seconds !== null && summary.wait_seconds !== undefined) {
      meta.push(fmt(texts.waited, { seconds: summary.wait_seconds }));
    }
    if (summary.status === "ended") meta.push(texts.ended);
    panel.querySelector("[data-meta]").textContent = meta.join(" · ");
    var ended = summary.status !== "active";
    panel.querySelector("[data-composer]").hidden = ended;
    panel.querySelector("[data-transfer]").hidden = ended;
    panel.querySelector("[data-end]").hidden = ended;
    var wrapup = panel.querySelector("[data-wrapup]");
    wrapup.hidden = summary.status !== "ended";
    wrapup.href = summary.wrapup_url;
    if (ended) panel.querySelector("[data-typing]").hidden = true;
    if (summary.status === "ended" && summary.ended_by === "left") {
      window.clearTimeout(chat.goneTimer);
      showPresence(chat, texts.parent_left);
    } else if (ended) {
      window.clearTimeout(chat.goneTimer);
      showPresence(chat, "");
    } else if (summary.parent_present === false) {
      onPresence({ chat: chat.id, present: false });
    }
    fillColleagues(chat);
    updateCounts();
  }

  // The parent's connection (docs/chat.md "Presence"): told after a short grace, so a reload
  // or a network blip of a few seconds does not alarm the nurse.
  var PRESENCE_GRACE_MS = 8000;

  function showPresence(chat, text) {
    var node = chat.panel.querySelector("[data-presence]");
    node.textContent = text;
    node.hidden = !text;
  }

  function onPresence(data) {
    var chat = chats[data.chat];
    if (!chat || chat.status !== "active") return;
    window.clearTimeout(chat.goneTimer);
    if (data.present) {
      if (chat.goneShown) showPresence(chat, texts.parent_back);
      chat.goneShown = false;
      return;
    }
    chat.goneTimer = window.setTimeout(function () {
      if (chat.status !== "active") return;
      chat.goneShown = true;
      showPresence(chat, texts.parent_gone);
    }, PRESENCE_GRACE_MS);
  }


  function renderPending(chat, entry) {
    var log = chat.panel.querySelector("[data-log]");
    var item = el("li", "msg msg--nurse msg--mine msg--pending");
    item.dataset.clientId = entry.client_id;
    var meta = el("p", "msg__meta");
    meta.appendChild(el("span", "msg__who", texts.you));
    meta.appendChild(document.createTextNode(" " + texts.sending));
    item.appendChild(meta);
    item.appendChild(el("p", "msg__body", entry.body));
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function dropPending(chat, clientId) {
    chat.pending = chat.pending.filter(function (entry) { return entry.client_id !== clientId; });
    var node = chat.panel.querySelector('[data-client-id="' + CSS.escape(clientId) + '"]');
    if (node) node.remove();
  }

  function onMessage(message) {
    var chat = chats[message.chat];
    if (!chat || message.seq <= chat.lastSeq) return;
    chat.lastSeq = message.seq;
    if (message.client_id) dropPending(chat, message.client_id);
    var log = chat.panel.querySelector("[data-log]");
    log.insertBefore(renderMessage(message), log.querySelector(".msg--pending"));
    if (message.sender === "parent") chat.panel.querySelector("[data-typing]").hidden = true;
    log.scrollTop = log.scrollHeight;
  }

  function onRemoved(data) {
    var chat = chats[data.chat];
    if (!chat) return;
    window.clearTimeout(chat.goneTimer);
    if (lastInput && chat.panel.contains(lastInput)) lastInput = null;
    chat.panel.remove();
    delete chats[data.chat];
    updateCounts();
  }

  function onError(data) {
    var chat = data.chat !== undefined ? chats[data.chat] : null;
    if (chat) {
      var alertEl = chat.panel.querySelector("[data-alert]");
      alertEl.textContent = data.message;
      alertEl.hidden = !data.message;
      if (data.client_id) {
        var entry = chat.pending.find(function (p) { return p.client_id === data.client_id; });
        dropPending(chat, data.client_id);
        var input = chat.panel.querySelector("[data-input]");
        if (entry) input.value = input.value.trim() ? input.value + "\n" + entry.body : entry.body;
      }
    } else if (data.message) {
      window.alert(data.message);
    }
    renderQueue();
  }

  function handle(data) {
    switch (data.type) {
      case "queue":
        queue = data.chats;
        waiting = typeof data.waiting === "number" ? data.waiting : data.chats.length;
        renderQueue();
        break;
      case "colleagues":
        colleagues = data.colleagues;
        Object.keys(chats).forEach(function (id) { fillColleagues(chats[id]); });
        break;
      case "chat": onChat(data); break;
      case "message": onMessage(data); break;
      case "typing":
        if (chats[data.chat]) chats[data.chat].panel.querySelector("[data-typing]").hidden = !data.active;
        break;
      case "removed": onRemoved(data); break;
      case "presence": onPresence(data); break;
      case "error":
      case "rate_limited": onError(data); break;
      default: break;
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.dataset.wsPath);
    socket.addEventListener("open", function () {
      retry = 0;
      setConnection("online", texts.online);
      var seen = {};
      Object.keys(chats).forEach(function (id) { seen[id] = chats[id].lastSeq; });
      send({ type: "hello", seen: seen });
      Object.keys(chats).forEach(function (id) {
        chats[id].pending.forEach(function (entry) {
          send({ type: "message", chat: Number(id), body: entry.body, client_id: entry.client_id });
        });
      });
    });
    socket.addEventListener("message", function (event) { handle(JSON.parse(event.data)); });
    socket.addEventListener("close", function (event) {
      socket = null;
      if (event.code === 4403) {
        setConnection("offline", texts.forbidden);
        return;
      }
      setConnection("offline", texts.reconnecting);
      window.setTimeout(connect, Math.min(10000, 500 * Math.pow(2, retry++)));
    });
  }

  // A knowledge-base answer template goes into the chat the nurse last typed in.
  document.addEventListener("kglijn:insert-snippet", function (event) {
    var text = event.detail && event.detail.text;
    var input = lastInput;
    if (!input || !document.body.contains(input)) {
      var open = Object.keys(chats).map(function (id) { return chats[id]; })
        .filter(function (c) { return c.status === "active"; });
      input = open.length ? open[0].panel.querySelector("[data-input]") : null;
    }
    if (!text || !input) return;
    event.preventDefault();
    var start = input.selectionStart, end = input.selectionEnd;
    if (typeof start === "number" && typeof end === "number") {
      input.value = input.value.slice(0, start) + text + input.value.slice(end);
      input.selectionStart = input.selectionEnd = start + text.length;
    } else {
      input.value += text;
    }
    input.focus();
  });

  window.setInterval(function () { send({ type: "ping" }); }, 25000);
  setConnection("connecting", texts.connecting);
  updateCounts();
  connect();
})();
