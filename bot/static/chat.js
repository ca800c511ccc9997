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
  // Shown when the server handled a message but said nothing (the tutor drops a flood silently).
  var NOT_HANDLED = "Bạn gửi nhanh quá nên tin này chưa được xử lý. Chờ một lát rồi gửi lại nhé.";
  var FILE_LINK = "/api/export/";

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

  // Text is never parsed: only the addresses the server listed in `links` (a certificate's
  // verification page) become links; any other address (a scam example in a lesson) stays text.
  function addText(parent, text, links) {
    var p = document.createElement("p");
    p.className = "text";
    var rest = text;
    (links || []).forEach(function (url) {
      if (typeof url !== "string" || !/^https?:\/\//.test(url)) return;
      var at = rest.indexOf(url);
      if (at < 0) return;
      p.appendChild(document.createTextNode(rest.slice(0, at)));
      var a = document.createElement("a");
      a.href = url;
      a.textContent = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      p.appendChild(a);
      rest = rest.slice(at + url.length);
    });
    p.appendChild(document.createTextNode(rest));
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
    // A lesson image (/media/) or one of the learner's own, such as the certificate (a file link).
    if (typeof reply.image === "string" && (reply.image.indexOf("/media/") === 0 || reply.image.indexOf(FILE_LINK) === 0)) {
      var figure = document.createElement("figure");
      var img = document.createElement("img");
      img.src = reply.image;
      img.alt = reply.caption || "Hình minh hoạ bài học";
      img.loading = "lazy";
      img.addEventListener("load", scrollDown);
      img.addEventListener("error", function () { img.remove(); });  // an expired link: the caption stays
      figure.appendChild(img);
      if (reply.caption && reply.caption !== reply.text) {
        var caption = document.createElement("figcaption");
        caption.textContent = reply.caption;
        figure.appendChild(caption);
      }
      div.appendChild(figure);
    }
    if (reply.text) {
      addText(div, reply.text, reply.links);
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
          if (typeof b.aria === "string" && b.aria) {
            button.setAttribute("aria-label", b.aria);  // an emoji-only label gets a spoken name
            button.title = b.aria;
          }
          button.addEventListener("click", function () {
            if (busy) return;
            disableGroup(group);  // while the reply is awaited
            button.classList.add("chosen");
            send({ payload: b.payload, label: b.label }, b.label).then(function (turn) {
              // New choices supersede this group (see disableOlderChoices). Without them the press
              // may have been refused (too fast, offline): the learner can press again.
              if (!turn.newChoices) {
                enableGroup(group);
                if (turn.refused) button.classList.remove("chosen");
              }
              focusNewChoices();
            });
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

  function enableGroup(group) {
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (button) {
      button.disabled = false;
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
        // As live: a group pressed without new choices after it (maybe refused) stays usable; one
        // the learner wrote something else after is history.
        var latest = groups.length ? groups[groups.length - 1] : null;
        if (latest) {
          var labels = Array.prototype.map.call(latest.querySelectorAll("button"), function (b) { return b.textContent; });
          var next = latest.closest(".msg").nextElementSibling;
          for (; next; next = next.nextElementSibling) {
            if (next.classList.contains("me") && labels.indexOf(next.textContent) < 0) { disableGroup(latest); break; }
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
    showTurn: showTurn,
    showError: showError,
    newId: newId
  };

  // The answer to one message, always shown: the replies; a 429's slow-down line; or, when the
  // server said nothing, NOT_HANDLED. Returns {ok, refused, newChoices} for the caller.
  function showTurn(response) {
    // 429 (too many messages from this address) carries the line to show.
    if (!response.ok && response.status !== 429) throw new Error("HTTP " + response.status);
    return response.json().then(function (data) {
      var replies = data.replies || [];
      replies.forEach(showReply);
      if (!replies.length) showError(NOT_HANDLED);
      return {
        ok: true,
        refused: response.status === 429 || !replies.length,
        newChoices: replies.some(function (r) { return r.buttons && r.buttons.length; })
      };
    });
  }

  var FAILED = { ok: false, refused: true, newChoices: false };

  function send(body, shownText) {
    if (busy) return Promise.resolve(FAILED);
    if (shownText) showMine(shownText);
    body.id = newId();
    setBusy(true);
    return fetch("/api/chat", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    })
      .then(showTurn)
      .catch(function () {
        showError("Không gửi được tin nhắn. Bạn kiểm tra kết nối rồi thử lại nhé.");
        return FAILED;
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
    send({ text: text }, text).then(function (turn) {
      // A typed answer uses up the open question's buttons, once the tutor took it.
      if (!turn.refused && !turn.newChoices) disableQuizChoices();
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
    return send({ text: "/start" }, null).then(function (turn) {
      if (turn.ok) {
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
