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
    addDocument(div, reply);
    var rows = reply.buttons || [];
    if (rows.length) {
      var group = document.createElement("div");
      group.className = reply.quiz ? "buttons quiz" : "buttons";
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
            send({ payload: b.payload, label: b.label }, b.label).then(focusNewChoices);
          });
          group.appendChild(button);
        });
      });
      div.appendChild(group);
    }
    log.appendChild(div);
    if (rows.length) disableOlderChoices(div);
    scrollDown();
  }

  // --- journey C: documents, used or superseded choices, history after a reload -----------------
  // A reply's document (data export, certificate) is a short-lived download link of this server.
  function addDocument(parent, reply) {
    var doc = reply.document;
    if (!doc || typeof doc.url !== "string" || doc.url.indexOf("/api/export/") !== 0) return;
    var link = document.createElement("a");
    link.className = "document";
    link.href = doc.url;
    link.setAttribute("download", typeof doc.name === "string" ? doc.name : "");
    link.textContent = "📄 Tải tệp " + (typeof doc.name === "string" ? doc.name : "") + " (trong 10 phút)";
    parent.appendChild(link);
  }

  function disableGroup(group) {
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (button) {
      button.disabled = true;
    });
  }

  // New choices supersede every older ones (the tutor would refuse them anyway).
  function disableOlderChoices(newest) {
    Array.prototype.forEach.call(log.querySelectorAll(".msg.bot .buttons"), function (group) {
      if (!newest.contains(group)) disableGroup(group);
    });
  }

  // A typed answer uses up the open quiz question's buttons.
  function disableQuizChoices() {
    Array.prototype.forEach.call(log.querySelectorAll(".msg.bot .buttons.quiz"), disableGroup);
  }

  // Reload: the conversation comes back from the server (kept only for a learner who agreed to
  // the data notice). The latest choices stay usable unless the learner wrote after them.
  function restoreHistory() {
    return fetch("/api/history", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { messages: [] }; })
      .catch(function () { return { messages: [] }; })
      .then(function (data) {
        var messages = data.messages || [];
        messages.forEach(function (message) {
          if (message.role === "me") {
            if (message.text) showMine(message.text);
          } else {
            showReply(message);
          }
        });
        var groups = log.querySelectorAll(".msg.bot .buttons");
        // The choice the learner tapped is the message right after its group: show it as chosen.
        Array.prototype.forEach.call(groups, function (group) {
          var next = group.closest(".msg").nextElementSibling;
          if (!next || !next.classList.contains("me")) return;
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (button) {
            if (button.textContent === next.textContent) button.classList.add("chosen");
          });
        });
        var latest = groups.length ? groups[groups.length - 1] : null;
        if (latest) {
          var next = latest.closest(".msg").nextElementSibling;
          for (; next; next = next.nextElementSibling) {
            if (next.classList.contains("me")) { disableGroup(latest); break; }
          }
        }
        return messages.length > 0;
      });
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

  // What bot/static/voice.js (the microphone button) uses to show a voice note's turn.
  window.hocvusoChat = {
    isBusy: function () { return busy; },
    setBusy: function (value) { setBusy(value); },
    setStatus: function (text) { status.textContent = text; },
    showReply: showReply,
    showError: showError,
    newId: newId
  };

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
        // 429 (too many messages from this address) carries the line to show.
        if (!response.ok && response.status !== 429) throw new Error("HTTP " + response.status);
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
    disableQuizChoices();
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

  // A reload shows the conversation again; a first visit (or no kept history) greets through the
  // tutor (consent and onboarding come from it).
  var started = false;
  try { started = window.localStorage.getItem(STARTED_KEY) === "1"; } catch (e) { started = false; }
  var restoring = restoreHistory().then(function (restored) {
    if (restored) return true;
    return send({ text: "/start" }, null).then(function (ok) {
      if (ok) {
        try { window.localStorage.setItem(STARTED_KEY, "1"); } catch (e) { /* private mode */ }
      }
      return false;
    });
  });
  // Reminders wait on the server until the learner comes back: ask on load and every minute.
  function fetchPending() {
    if (busy || document.visibilityState === "hidden") return;
    fetch("/api/pending", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { replies: [] }; })
      .then(function (data) { (data.replies || []).forEach(showReply); })
      .catch(function () { /* offline: the next poll tries again */ });
  }
  restoring.then(function (restored) { if (restored || started) fetchPending(); });
  window.setInterval(fetchPending, 60000);

  // The quick-action bar (Học tiếp · Hỏi · Bài tập · Tiến độ · Danh mục), from the tutor's registry:
  // a tap sends the label as text, which the tutor reads as the command.
  function showQuickBar(entries) {
    var bar = document.getElementById("quick");
    if (!bar) return;
    bar.textContent = "";
    entries.filter(function (e) { return e.quick && e.label; }).forEach(function (e) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = e.label;
      button.title = e.description || e.label;
      button.addEventListener("click", function () {
        if (busy) return;
        send({ text: e.label }, e.label).then(focusNewChoices);
      });
      bar.appendChild(button);
    });
    bar.hidden = !bar.childElementCount;
  }
  fetch("/api/menu", { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : { menu: [] }; })
    .then(function (data) { showQuickBar(data.menu || []); })
    .catch(function () { /* no bar: typing still works */ });

  document.documentElement.setAttribute("data-ready", "1");
})();
