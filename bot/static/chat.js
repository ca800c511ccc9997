// Hocvuso web chat. Tutor text is always inserted with textContent (never parsed as HTML), so a reply
// containing "<script>" is shown as text. No external resources: the page works offline.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("msg");
  var sendButton = document.getElementById("send");
  var status = document.getElementById("status");
  var busy = false;
  var STARTED_KEY = "hocvuso-web-started";

  function newId() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function bubble(kind) {
    var div = document.createElement("div");
    div.className = "msg " + kind;
    return div;
  }

  function addText(parent, text) {
    var p = document.createElement("p");
    p.className = "text";
    p.textContent = text;
    parent.appendChild(p);
  }

  function showMine(text) {
    var div = bubble("me");
    addText(div, text);
    log.appendChild(div);
    scrollDown();
  }

  function showReply(reply) {
    var div = bubble("bot");
    if (typeof reply.image === "string" && reply.image.indexOf("/media/") === 0) {
      var figure = document.createElement("figure");
      var img = document.createElement("img");
      img.src = reply.image;
      img.alt = reply.caption || "Hình minh hoạ bài học";
      img.loading = "lazy";
      img.addEventListener("load", scrollDown);
      figure.appendChild(img);
      if (reply.caption && reply.caption !== reply.text) {
        var caption = document.createElement("figcaption");
        caption.textContent = reply.caption;
        figure.appendChild(caption);
      }
      div.appendChild(figure);
    }
    if (reply.text) {
      addText(div, reply.text);
    }
    if (reply.sources && reply.sources.length) {
      var list = document.createElement("ul");
      list.className = "sources";
      list.setAttribute("aria-label", "Nguồn bài học");
      reply.sources.forEach(function (source) {
        var li = document.createElement("li");
        var where = [source.heading, source.locator].filter(Boolean).join(", ");
        li.textContent = "📖 " + source.title + (where ? " (" + where + ")" : "");
        list.appendChild(li);
      });
      div.appendChild(list);
    }
    var rows = reply.buttons || [];
    if (rows.length) {
      var group = document.createElement("div");
      group.className = "buttons";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Lựa chọn");
      rows.forEach(function (row) {
        row.forEach(function (b) {
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = b.label;
          button.addEventListener("click", function () {
            if (busy) return;
            Array.prototype.forEach.call(group.querySelectorAll("button"), function (other) {
              other.disabled = true;
            });
            button.classList.add("chosen");
            send({ payload: b.payload }, b.label).then(focusNewChoices);
          });
          group.appendChild(button);
        });
      });
      div.appendChild(group);
    }
    log.appendChild(div);
    scrollDown();
  }

  // After a button press, keyboard users continue from the new choices (no focus jump otherwise).
  function focusNewChoices() {
    var groups = log.querySelectorAll(".msg.bot .buttons");
    var last = groups.length ? groups[groups.length - 1] : null;
    var first = last ? last.querySelector("button:not(:disabled)") : null;
    if (first) {
      first.focus({ preventScroll: true });
    } else {
      input.focus({ preventScroll: true });
    }
  }

  function showError(text) {
    var div = bubble("bot error");
    addText(div, text);
    log.appendChild(div);
    scrollDown();
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    status.textContent = value ? "Đang trả lời…" : "";
  }

  function send(body, shownText) {
    if (busy) return Promise.resolve(false);
    if (shownText) showMine(shownText);
    body.id = newId();
    setBusy(true);
    return fetch("/api/chat", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        (data.replies || []).forEach(showReply);
        return true;
      })
      .catch(function () {
        showError("Không gửi được tin nhắn. Bạn kiểm tra kết nối rồi thử lại nhé.");
        return false;
      })
      .finally(function () {
        setBusy(false);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    input.style.height = "";
    send({ text: text }, text).then(function () {
      input.focus();
    });
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  input.addEventListener("input", function () {
    input.style.height = "";
    input.style.height = Math.min(input.scrollHeight, 128) + "px";
  });

  // First visit: greet through the tutor (consent and onboarding come from it).
  var started = false;
  try { started = window.localStorage.getItem(STARTED_KEY) === "1"; } catch (e) { started = false; }
  if (!started) {
    send({ text: "/start" }, null).then(function (ok) {
      if (ok) {
        try { window.localStorage.setItem(STARTED_KEY, "1"); } catch (e) { /* private mode */ }
      }
    });
  }
  // Reminders wait on the server until the learner comes back: ask on load and every minute.
  function fetchPending() {
    if (busy || document.visibilityState === "hidden") return;
    fetch("/api/pending", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { replies: [] }; })
      .then(function (data) { (data.replies || []).forEach(showReply); })
      .catch(function () { /* offline: the next poll tries again */ });
  }
  if (started) fetchPending();
  window.setInterval(fetchPending, 60000);
  document.documentElement.setAttribute("data-ready", "1");
})();
