/* kglijn chat — how a message looks, shared by the parent's widget and the nurse console.
 * Loaded before widget.js / console.js; defines window.KGLijnChat.
 */
(function () {
  "use strict";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderMessage(message) {
    var item = element("li", "msg msg--" + message.sender + (message.mine ? " msg--mine" : ""));
    item.dataset.seq = message.seq;
    var time = element("time", "", message.time);
    time.setAttribute("datetime", message.at);
    if (message.sender === "system") {
      var line = element("p", "msg__system", message.body + " ");
      line.appendChild(time);
      item.appendChild(line);
    } else {
      var meta = element("p", "msg__meta");
      meta.appendChild(element("span", "msg__who", message.who));
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(time);
      item.appendChild(meta);
      item.appendChild(element("p", "msg__body", message.body));
    }
    return item;
  }

  window.KGLijnChat = { element: element, renderMessage: renderMessage };
})();
