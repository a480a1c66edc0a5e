// The customer web chat (served as /chat/app.js; plain browser JavaScript, no build step).
// Texts and settings come from data- attributes of #chat; every message is put on the page with
// textContent, never as markup. The page keeps an anonymous token and the messages not sent yet
// in localStorage; the transcript itself is kept by the server.
(function () {
  'use strict';

  var root = document.getElementById('chat');
  if (!root) return;
  var data = root.dataset;
  var api = new URL(data.api + '/', document.baseURI).href;
  var maxBytes = Number(data.maxBytes);
  var types = (data.types || '').split(',');
  var EXTENSION_TYPES = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic', heif: 'image/heif', pdf: 'application/pdf', txt: 'text/plain', mp4: 'video/mp4' };
  var START_ID = 'page-start';

  var logEl = document.getElementById('chat-log');
  var form = document.getElementById('chat-form');
  var input = document.getElementById('chat-input');
  var sendButton = document.getElementById('chat-send');
  var fileInput = document.getElementById('chat-file');
  var attachLabel = document.getElementById('chat-attach');
  var statusEl = document.getElementById('chat-status');
  var errorEl = document.getElementById('chat-error');

  // localStorage may be blocked (private modes, third-party frames): fall back to memory
  var memory = new Map();
  var storage = {
    get: function (key) {
      try {
        return window.localStorage.getItem('claimdesk.chat.' + key);
      } catch {
        return memory.has(key) ? memory.get(key) : null;
      }
    },
    set: function (key, value) {
      try {
        if (value === null) window.localStorage.removeItem('claimdesk.chat.' + key);
        else window.localStorage.setItem('claimdesk.chat.' + key, value);
      } catch {
        if (value === null) memory.delete(key);
        else memory.set(key, value);
      }
    },
  };

  var token = storage.get('token');
  var lastSeq = 0;
  var queue = []; // { id, kind: 'text' | 'choice' | 'file', text?, choiceId?, label?, auto?, file?, type? }
  var sending = false;
  var sendFailures = 0;
  var retryTimer = null;
  var stream = null;
  var streamFailures = 0;
  var errorTimer = null;

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    var text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function backoff(failures, max) {
    return Math.min(max, 1000 * Math.pow(2, Math.min(failures, 6))) + Math.floor(Math.random() * 300);
  }

  function setStatus(text) {
    statusEl.textContent = text || '';
    statusEl.hidden = !text;
  }

  function showError(text) {
    errorEl.textContent = text;
    errorEl.hidden = false;
    if (errorTimer) clearTimeout(errorTimer);
    errorTimer = setTimeout(function () {
      errorEl.hidden = true;
    }, 8000);
  }

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) return data.tSizeMb.replace('{size}', (bytes / (1024 * 1024)).toFixed(1));
    return data.tSizeKb.replace('{size}', String(Math.max(1, Math.round(bytes / 1024))));
  }

  function call(path, init) {
    init = init || {};
    var headers = Object.assign({}, init.headers || {}, { Authorization: 'Bearer ' + token });
    return fetch(api + path, Object.assign({}, init, { headers: headers, cache: 'no-store', credentials: 'omit' }));
  }

  // ---- the transcript on the page ----

  function messageElement(from, seq) {
    var item = document.createElement('li');
    item.className = 'msg ' + from;
    if (seq !== undefined) item.dataset.seq = String(seq);
    var who = document.createElement('span');
    who.className = 'visually-hidden';
    who.textContent = from === 'desk' ? data.tFromDesk + ' ' : data.tFromCustomer + ' ';
    item.appendChild(who);
    return item;
  }

  function addText(item, text) {
    if (!text) return;
    var body = document.createElement('p');
    body.className = 'text';
    body.textContent = text;
    item.appendChild(body);
  }

  function addFile(item, name, size) {
    var line = document.createElement('p');
    line.className = 'file';
    line.textContent = '📎 ' + (name || '') + (size !== undefined ? ' · ' + sizeText(size) : '');
    item.appendChild(line);
  }

  // a file staff sent with a reply (#25): fetched with the chat's token, then saved by the browser
  function addDeskFile(item, file) {
    var line = document.createElement('p');
    line.className = 'file';
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'download';
    button.textContent = '📎 ' + (file.name || data.tDownload) + (file.sizeBytes !== undefined ? ' · ' + sizeText(file.sizeBytes) : '');
    button.setAttribute('aria-label', data.tDownload + ': ' + (file.name || ''));
    button.addEventListener('click', function () {
      button.disabled = true;
      fetch(new URL(file.url, document.baseURI).href, { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store', credentials: 'omit' })
        .then(function (res) {
          if (!res.ok) throw new Error('download ' + res.status);
          return res.blob();
        })
        .then(function (blob) {
          var link = document.createElement('a');
          link.href = URL.createObjectURL(blob);
          link.download = file.name || 'file';
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () {
            URL.revokeObjectURL(link.href);
          }, 60000);
        })
        .catch(function () {
          showError(data.tErrorDownload);
        })
        .then(function () {
          button.disabled = false;
        });
    });
    line.appendChild(button);
    item.appendChild(line);
  }

  function firstPending() {
    return logEl.querySelector('li.pending');
  }

  function render(entry) {
    if (typeof entry.seq !== 'number' || logEl.querySelector('li[data-seq="' + entry.seq + '"]')) return;
    if (entry.clientId) {
      var pending = logEl.querySelector('li.pending[data-client-id="' + CSS.escape(entry.clientId) + '"]');
      if (pending) pending.remove();
    }
    var item = messageElement(entry.from === 'desk' ? 'desk' : 'customer', entry.seq);
    addText(item, entry.text);
    (entry.files || []).forEach(function (file) {
      if (entry.from === 'desk' && file.url) addDeskFile(item, file);
      else addFile(item, file.name, file.sizeBytes);
    });
    if (entry.choices && entry.choices.length > 0) {
      var group = document.createElement('div');
      group.className = 'choices';
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', data.tChoices);
      entry.choices.forEach(function (choice) {
        var button = document.createElement('button');
        button.type = 'button';
        button.className = 'choice';
        button.textContent = choice.label;
        button.dataset.choiceId = choice.id;
        if (choice.lasting) button.dataset.lasting = 'true';
        button.addEventListener('click', function () {
          press(item, choice);
        });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    if (entry.from === 'desk' && entry.expects) item.dataset.expects = entry.expects;
    // in seq order, ahead of the messages not sent yet
    var before = null;
    var items = logEl.querySelectorAll('li[data-seq]');
    for (var i = 0; i < items.length; i++) {
      if (Number(items[i].dataset.seq) > entry.seq) {
        before = items[i];
        break;
      }
    }
    logEl.insertBefore(item, before || firstPending());
    if (entry.seq > lastSeq) lastSeq = entry.seq;
    refreshButtons();
    scrollDown();
  }

  // only the last desk message's buttons work; lasting ones (the survey's) work whenever
  function refreshButtons() {
    var desk = logEl.querySelectorAll('li.msg.desk[data-seq]');
    var last = desk.length > 0 ? desk[desk.length - 1] : null;
    logEl.querySelectorAll('button.choice').forEach(function (button) {
      var item = button.closest('li');
      var lasting = button.dataset.lasting === 'true';
      button.disabled = !lasting && (item !== last || item.dataset.pressed === 'true');
    });
    attachLabel.classList.toggle('suggested', !!last && last.dataset.expects === 'files');
  }

  function scrollDown() {
    logEl.scrollTop = logEl.scrollHeight;
  }

  function showPending(item) {
    if (item.auto) return;
    var element = messageElement('customer');
    element.classList.add('pending');
    element.dataset.clientId = item.id;
    if (item.kind === 'file') addFile(element, item.file.name, item.file.size);
    else addText(element, item.kind === 'choice' ? item.label : item.text);
    var meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = item.kind === 'file' ? data.tUploading : data.tPending;
    element.appendChild(meta);
    logEl.appendChild(element);
    scrollDown();
  }

  function dropPending(id) {
    var element = logEl.querySelector('li.pending[data-client-id="' + CSS.escape(id) + '"]');
    if (element) element.remove();
  }

  // ---- sending, in order, kept across reloads until the desk has it ----

  function saveQueue() {
    // a file cannot be kept across a reload; texts and button presses are
    var kept = queue.filter(function (item) {
      return item.kind !== 'file';
    });
    storage.set('outbox', kept.length > 0 ? JSON.stringify(kept) : null);
  }

  function enqueue(item) {
    queue.push(item);
    saveQueue();
    showPending(item);
    pump();
  }

  function deliver(item) {
    if (item.kind === 'file') {
      return call('files', {
        method: 'POST',
        headers: { 'content-type': item.type, 'x-file-name': encodeURIComponent(item.file.name || ''), 'x-message-id': item.id },
        body: item.file,
      });
    }
    var body = item.kind === 'choice' ? { id: item.id, choiceId: item.choiceId } : { id: item.id, text: item.text };
    if (item.auto) body.auto = true;
    return call('messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  function pump() {
    if (sending || !token || queue.length === 0) return;
    sending = true;
    if (retryTimer) {
      clearTimeout(retryTimer);
      retryTimer = null;
    }
    var item = queue[0];
    deliver(item)
      .then(
        function (res) {
          if (res.status === 202) {
            return res.json().then(function (answer) {
              if (answer && answer.notice) setStatus(answer.notice);
              return 'done';
            });
          }
          if (res.status === 401) return restart().then(function () { return 'retry'; });
          // a full desk (507) is a refusal to show, not a hiccup to retry
          if (res.status === 429 || (res.status >= 500 && res.status !== 507)) return 'retry';
          return res
            .json()
            .catch(function () {
              return {};
            })
            .then(function (answer) {
              showError(refusalText(res.status, (answer && answer.error) || '', item));
              return 'drop';
            });
        },
        function () {
          return 'retry'; // the network: try again
        },
      )
      .then(function (outcome) {
        sending = false;
        if (outcome === 'retry') {
          sendFailures++;
          retryTimer = setTimeout(pump, backoff(sendFailures, 30000));
          return;
        }
        sendFailures = 0;
        queue.shift();
        saveQueue();
        if (outcome === 'drop') dropPending(item.id);
        pump();
      });
  }

  /** What to tell the customer about a refused message or file, by the answer's status and code. */
  function refusalText(status, code, item) {
    if (code === 'quota_exceeded') return data.tErrorQuota;
    if (code === 'file_not_expected') return data.tErrorNotExpected;
    if (code === 'storage_full') return data.tErrorFull;
    if (status === 413) return data.tErrorTooLarge;
    if (status === 415) return data.tErrorType;
    return item.kind === 'file' ? data.tErrorUpload : data.tErrorRejected;
  }

  function press(item, choice) {
    if (!choice.lasting) {
      item.dataset.pressed = 'true';
      refreshButtons();
    }
    enqueue({ id: newId(), kind: 'choice', choiceId: choice.id, label: choice.label });
    input.focus();
  }

  // ---- the live stream (fetch, so the token goes in a header) ----

  function handleEvent(block) {
    var event = 'message';
    var payload = [];
    block.split('\n').forEach(function (line) {
      if (line === '' || line.charAt(0) === ':') return;
      var colon = line.indexOf(':');
      var field = colon === -1 ? line : line.slice(0, colon);
      var value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') payload.push(value);
    });
    if (event !== 'message' || payload.length === 0) return;
    try {
      render(JSON.parse(payload.join('\n')));
    } catch {
      // a malformed event is skipped; the next transcript read brings the message
    }
  }

  function connect() {
    if (stream) stream.abort();
    var controller = new AbortController();
    stream = controller;
    call('events?after=' + lastSeq, { headers: { Accept: 'text/event-stream' }, signal: controller.signal })
      .then(function (res) {
        if (res.status === 401) return restart();
        if (!res.ok || !res.body) throw new Error('stream refused');
        setStatus('');
        streamFailures = 0;
        var reader = res.body.getReader();
        var decoder = new TextDecoder();
        var buffer = '';
        function read() {
          return reader.read().then(function (chunk) {
            if (chunk.done) throw new Error('stream ended');
            buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, '\n');
            var end;
            while ((end = buffer.indexOf('\n\n')) !== -1) {
              handleEvent(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
            }
            return read();
          });
        }
        return read();
      })
      .catch(function () {
        if (controller.signal.aborted || stream !== controller) return;
        setStatus(data.tOffline);
        streamFailures++;
        setTimeout(function () {
          if (stream === controller) connect();
        }, backoff(streamFailures, 15000));
      });
  }

  // ---- start ----

  function createSession() {
    var language = data.lang || navigator.language || '';
    var body = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$/.test(language) ? { languageCode: language } : {};
    return fetch(api + 'session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'omit' }).then(function (res) {
      if (res.status !== 201) throw new Error('session refused');
      return res.json().then(function (answer) {
        token = answer.token;
        storage.set('token', token);
      });
    });
  }

  function loadTranscript() {
    return call('messages?after=' + lastSeq).then(function (res) {
      if (res.status === 401) {
        var error = new Error('unknown token');
        error.unauthorized = true;
        throw error;
      }
      if (!res.ok) throw new Error('transcript unavailable');
      return res.json().then(function (answer) {
        answer.messages.forEach(render);
        if (answer.more) return loadTranscript();
      });
    });
  }

  var starting = null;
  var startFailures = 0;

  // (re)starts the chat: a session, the transcript, the opening /start for a new visitor, the stream
  function start() {
    if (starting) return starting;
    setStatus(data.tConnecting);
    logEl.setAttribute('aria-live', 'off'); // do not read out the whole history
    starting = (token ? Promise.resolve() : createSession())
      .then(loadTranscript)
      .catch(function (error) {
        if (!error.unauthorized) throw error;
        // the server does not know this token: a new anonymous chat
        token = null;
        storage.set('token', null);
        logEl.textContent = '';
        lastSeq = 0;
        return createSession().then(loadTranscript);
      })
      .then(function () {
        starting = null;
        startFailures = 0;
        logEl.setAttribute('aria-live', 'polite');
        [input, sendButton, fileInput].forEach(function (element) {
          element.disabled = false;
        });
        queue.forEach(function (item) {
          if (!logEl.querySelector('li.pending[data-client-id="' + CSS.escape(item.id) + '"]')) showPending(item);
        });
        var empty = !logEl.querySelector('li[data-seq]');
        if (empty && queue.length === 0) enqueue({ id: START_ID, kind: 'text', text: '/start', auto: true });
        pump();
        connect();
      })
      .catch(function () {
        starting = null;
        startFailures++;
        if (startFailures === 3) showError(data.tErrorSession);
        setStatus(data.tOffline);
        setTimeout(start, backoff(startFailures, 15000));
      });
    return starting;
  }

  function restart() {
    token = null;
    storage.set('token', null);
    if (stream) stream.abort();
    stream = null;
    logEl.querySelectorAll('li[data-seq]').forEach(function (element) {
      element.remove();
    });
    lastSeq = 0;
    return start();
  }

  try {
    var kept = JSON.parse(storage.get('outbox') || '[]');
    if (Array.isArray(kept)) {
      queue = kept.filter(function (item) {
        return item && typeof item.id === 'string' && (item.kind === 'text' || item.kind === 'choice');
      });
    }
  } catch {
    queue = [];
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = input.value;
    if (text.trim() === '') return;
    input.value = '';
    enqueue({ id: newId(), kind: 'text', text: text });
    input.focus();
  });

  input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit();
      else sendButton.click();
    }
  });

  fileInput.addEventListener('change', function () {
    Array.prototype.forEach.call(fileInput.files || [], function (file) {
      var extension = (file.name.split('.').pop() || '').toLowerCase();
      var type = types.indexOf(file.type) !== -1 ? file.type : EXTENSION_TYPES[extension];
      if (file.size > maxBytes) {
        showError(data.tErrorTooLarge);
        return;
      }
      if (!type || types.indexOf(type) === -1) {
        showError(data.tErrorType);
        return;
      }
      enqueue({ id: newId(), kind: 'file', file: file, type: type });
    });
    fileInput.value = '';
  });

  window.addEventListener('online', function () {
    pump();
    if (!starting && token) connect();
  });

  start();
})();
