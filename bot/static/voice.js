// Hocvuso web chat: the microphone button. Shown only where the browser can record (MediaRecorder
// and getUserMedia, which need https or localhost); without it the page is the plain text chat.
// Press to record, press again to send (it also stops by itself at MAX_SECONDS). The recording goes
// to POST /api/voice as it is (WebM/Opus, OGG or MP4 depending on the browser) with the same cookie
// as /api/chat; the server transcribes it and never keeps it.
(function () {
  "use strict";
  var MAX_SECONDS = 60;
  var chat = window.hocvusoChat;
  var form = document.getElementById("composer");
  var sendButton = document.getElementById("send");
  if (!chat || !form || !sendButton) return;
  if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;

  var mic = document.createElement("button");
  mic.type = "button";
  mic.id = "mic";
  mic.className = "mic";
  mic.textContent = "🎤";
  mic.setAttribute("aria-label", "Ghi âm câu hỏi");
  mic.title = "Ghi âm câu hỏi";
  form.insertBefore(mic, sendButton);

  var recorder = null;
  var chunks = [];
  var timer = null;

  function preferredType() {
    var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4", "audio/webm"];
    for (var i = 0; i < types.length; i++) {
      if (window.MediaRecorder.isTypeSupported && window.MediaRecorder.isTypeSupported(types[i])) return types[i];
    }
    return "";
  }

  function setRecording(on) {
    mic.classList.toggle("recording", on);
    mic.setAttribute("aria-pressed", on ? "true" : "false");
    mic.setAttribute("aria-label", on ? "Dừng và gửi ghi âm" : "Ghi âm câu hỏi");
    mic.textContent = on ? "■" : "🎤";
    chat.setStatus(on ? "Đang ghi âm… bấm ■ để gửi." : "");
  }

  function upload(blob) {
    chat.setBusy(true);
    chat.setStatus("Đang nghe…");
    return fetch("/api/voice?id=" + encodeURIComponent(chat.newId()), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": blob.type || "application/octet-stream" },
      body: blob
    })
      .then(chat.showTurn)  // replies, a 429's slow-down line, or a word when nothing came back
      .catch(function () { chat.showError("Không gửi được ghi âm. Bạn kiểm tra kết nối rồi thử lại nhé."); })
      .finally(function () { chat.setBusy(false); });
  }

  function stop() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    if (recorder && recorder.state !== "inactive") recorder.stop();
  }

  function start() {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var type = preferredType();
      recorder = type ? new window.MediaRecorder(stream, { mimeType: type }) : new window.MediaRecorder(stream);
      chunks = [];
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) chunks.push(event.data);
      });
      recorder.addEventListener("stop", function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        setRecording(false);
        var blob = new Blob(chunks, { type: recorder.mimeType || type || "audio/webm" });
        chunks = [];
        recorder = null;
        if (blob.size) upload(blob);
      });
      recorder.start();
      setRecording(true);
      timer = window.setTimeout(stop, MAX_SECONDS * 1000);
    }).catch(function () {
      // No microphone, or permission refused: say so once and leave the text chat as it is.
      mic.remove();
      chat.setStatus("Không dùng được micro. Bạn gõ chữ nhé.");
    });
  }

  mic.addEventListener("click", function () {
    if (recorder) { stop(); return; }
    if (chat.isBusy()) return;
    start();
  });
})();
