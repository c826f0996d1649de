/* Working from a phone in the village, with or without a connection.
 *
 * - Registers the service worker (/sw.js) that serves the offline copy when there is no connection.
 * - 离线使用本县村庄 (#offline-copy): saves the village list, each village's page and its update form for the
 *   editor's counties (the list comes from the server: never another county), in a few parts of many pages
 *   each, shows its size, refreshes a village's pages after an update to it is sent.
 * - The update form (#update-form): the update is first kept on the phone (IndexedDB, photos scaled to at most
 *   2,048 px with their position and time kept), then sent with an id made here, so a retry records it once.
 *   Updates waiting are listed (#offline-queue) and sent oldest first when the connection comes back or on
 *   立即同步; a refusal (conflict, lost access, a photo refused) keeps the update, marked with the reason.
 * - A session that ended asks for the password (#login-prompt) and then sends.
 * - Logging out deletes everything kept offline: caches, the queue, the worker.
 *
 * Everything it shows in words comes translated from the page (data-strings on this script's tag).
 */
(function () {
  "use strict";

  const script = document.currentScript;
  const config = script.dataset;
  const USER = config.user || "";
  const S = JSON.parse(config.strings || "{}");
  const DB_NAME = "villages-offline";
  const PAGES_PREFIX = "pages-";
  const COPY_CHECK_MS = 10 * 60 * 1000;
  const RETRY_MS = 60 * 1000;
  const secure = window.isSecureContext && "indexedDB" in window && "caches" in window;

  function fill(text, values) {
    return String(text || "").replace(/%\((\w+)\)[sd]/g, (match, name) => (name in values ? values[name] : match));
  }

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
      if (name === "className") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    });
    children.filter((child) => child !== null && child !== undefined).forEach((child) => node.append(child));
    return node;
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function today() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }

  function localTime(timestamp) {
    const when = new Date(timestamp);
    const pad = (n) => String(n).padStart(2, "0");
    return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())} ${pad(when.getHours())}:${pad(when.getMinutes())}`;
  }

  function size(bytes) {
    return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
  }

  // --- IndexedDB: the queue of updates and a few facts about the offline copy -----------------------

  let database = null;

  function openDatabase() {
    if (database) return Promise.resolve(database);
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("queue", { keyPath: "id" });
        request.result.createObjectStore("meta");
      };
      request.onsuccess = () => {
        database = request.result;
        database.onversionchange = () => {
          database.close();
          database = null;
        };
        resolve(database);
      };
      request.onerror = () => reject(request.error);
    });
  }

  async function store(name, mode, action) {
    const db = await openDatabase();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(name, mode);
      const request = action(transaction.objectStore(name));
      transaction.oncomplete = () => resolve(request && request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  const queue = {
    all: () => store("queue", "readonly", (items) => items.getAll()),
    put: (item) => store("queue", "readwrite", (items) => items.put(item)),
    remove: (id) => store("queue", "readwrite", (items) => items.delete(id)),
  };
  const meta = {
    get: (key) => store("meta", "readonly", (values) => values.get(key)),
    set: (key, value) => store("meta", "readwrite", (values) => values.put(value, key)),
    remove: (key) => store("meta", "readwrite", (values) => values.delete(key)),
  };

  async function waiting() {
    return (await queue.all()).filter((item) => item.username === USER).sort((a, b) => a.createdAt - b.createdAt);
  }

  async function clearEverything() {
    if (database) {
      database.close();
      database = null;
    }
    await Promise.all((await caches.keys()).map((name) => caches.delete(name)));
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    if (navigator.serviceWorker) {
      const registrations = await navigator.serviceWorker.getRegistrations();
      await Promise.all(registrations.map((registration) => registration.unregister()));
    }
    localStorage.removeItem("offline-share-position");
    localStorage.removeItem("offline-copy-checked");
  }

  // --- Photos: at most 2,048 px, keeping the EXIF block (position, time) the server checks -----------

  async function exifSegment(file) {
    const bytes = new Uint8Array(await file.slice(0, 256 * 1024).arrayBuffer());
    if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
    let offset = 2;
    while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
      const marker = bytes[offset + 1];
      const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
      if (marker === 0xda) break;
      const isExif = marker === 0xe1 && String.fromCharCode(...bytes.slice(offset + 4, offset + 10)) === "Exif\0\0";
      if (isExif && offset + 2 + length <= bytes.length) {
        const segment = bytes.slice(offset, offset + 2 + length);
        uprightOrientation(segment);
        return segment;
      }
      offset += 2 + length;
    }
    return null;
  }

  // The canvas has already turned the pixels upright: the copied EXIF must say so (Orientation = 1).
  function uprightOrientation(segment) {
    const view = new DataView(segment.buffer, segment.byteOffset + 10);
    const little = view.getUint16(0) === 0x4949;
    const ifd = view.getUint32(4, little);
    if (ifd + 2 > view.byteLength) return;
    const count = view.getUint16(ifd, little);
    for (let i = 0; i < count; i++) {
      const entry = ifd + 2 + i * 12;
      if (entry + 12 > view.byteLength) return;
      if (view.getUint16(entry, little) === 0x0112) view.setUint16(entry + 8, 1, little);
    }
  }

  async function preparePhoto(file, maxSide) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch (error) {
      return { name: file.name, type: file.type, blob: file }; // not an image: the server says why
    }
    const longest = Math.max(bitmap.width, bitmap.height);
    if (longest <= maxSide) {
      bitmap.close();
      return { name: file.name, type: file.type, blob: file };
    }
    const canvas = document.createElement("canvas");
    canvas.width = Math.round((bitmap.width * maxSide) / longest);
    canvas.height = Math.round((bitmap.height * maxSide) / longest);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const scaled = new Uint8Array(await (await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.88))).arrayBuffer());
    const exif = await exifSegment(file);
    const parts = exif ? [scaled.slice(0, 2), exif, scaled.slice(2)] : [scaled];
    const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
    return { name, type: "image/jpeg", blob: new Blob(parts, { type: "image/jpeg" }) };
  }

  function currentPosition() {
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (position) => resolve({ lat: position.coords.latitude, lon: position.coords.longitude, accuracy: Math.round(position.coords.accuracy) }),
        () => resolve(null),
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
      );
    });
  }

  // --- Sending -----------------------------------------------------------------------------------------

  async function send(item, announce) {
    const body = new FormData();
    body.append("client_id", item.id);
    Object.entries(item.fields).forEach(([name, value]) => body.append(name, value));
    if (item.device) {
      body.append("device_lat", item.device.lat);
      body.append("device_lon", item.device.lon);
      body.append("device_accuracy", item.device.accuracy);
    }
    item.photos.forEach((photo) => body.append("photos", photo.blob, photo.name));
    if (announce) body.append("announce", "1");
    let response;
    try {
      response = await fetch(item.api, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
    } catch (error) {
      return { kind: "network" };
    }
    let answer = null;
    try {
      answer = await response.json();
    } catch (error) {
      answer = null;
    }
    if (answer && answer.result === "recorded") return { kind: "recorded", answer };
    if (response.status === 401 || (response.status === 403 && !answer)) return { kind: "login" };
    if (!answer || response.status >= 500) return { kind: "network" };
    return { kind: answer.error, answer };
  }

  const REFUSALS = { conflict: "conflict", forbidden: "refused", reused: "refused", invalid: "invalid" };
  let syncing = false;

  async function syncAll() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      for (const item of (await waiting()).filter((entry) => entry.state === "pending")) {
        showSending(item.id);
        const outcome = await send(item, false);
        if (outcome.kind === "network") break;
        if (outcome.kind === "login") {
          askPassword(item.username);
          break;
        }
        if (outcome.kind === "recorded") {
          await queue.remove(item.id);
          await markStale(item.village);
          continue;
        }
        await queue.put(refused(item, outcome));
      }
    } finally {
      syncing = false;
      await render();
    }
    await refreshStale();
  }

  function refused(item, outcome) {
    return {
      ...item,
      state: REFUSALS[outcome.kind] || "refused",
      reason: outcome.answer.reason || "",
      photoErrors: outcome.answer.photos || [],
    };
  }

  // --- The queue on the page ---------------------------------------------------------------------------

  function showSending(id) {
    const row = document.querySelector(`#queue-items [data-id="${id}"] .state`);
    if (row) row.textContent = S.state_sending;
  }

  async function act(item, change) {
    if (change === "discard") {
      if (!window.confirm(S.confirm_discard)) return;
      await queue.remove(item.id);
    } else if (change === "resend") {
      await queue.put({ ...item, state: "pending", reason: "", photoErrors: [] });
    } else if (change === "without-status") {
      await queue.put({ ...item, fields: { ...item.fields, status: "" }, statusLabel: "", state: "pending", reason: "" });
    } else if (typeof change === "number") {
      const photos = item.photos.filter((photo, index) => index !== change);
      const photoErrors = item.photoErrors
        .filter((error) => error.index !== change)
        .map((error) => ({ ...error, index: error.index > change ? error.index - 1 : error.index }));
      await queue.put({ ...item, photos, photoErrors });
    }
    await render();
    if (change !== "discard" && typeof change !== "number") await syncAll();
  }

  function itemRow(item) {
    const photoErrors = new Map(item.photoErrors.map((error) => [error.index, error.reason]));
    const photos = element("ul", { className: "queue-photos" });
    item.photos.forEach((photo, index) => {
      if (!photoErrors.has(index)) return;
      photos.append(
        element(
          "li",
          { "data-photo": String(index) },
          `${photoErrors.get(index)} `, // the server's reason names the file
          element("button", { type: "button", className: "link", onclick: () => act(item, index) }, S.remove_photo),
        ),
      );
    });
    const buttons = element("p", { className: "queue-actions" });
    if (item.state === "conflict" && item.fields.status) {
      buttons.append(element("button", { type: "button", className: "button", "data-action": "without-status", onclick: () => act(item, "without-status") }, S.resend_without_status));
    }
    if (item.state === "invalid" || item.state === "conflict") {
      buttons.append(element("button", { type: "button", className: "button secondary", "data-action": "resend", onclick: () => act(item, "resend") }, S.resend));
    }
    buttons.append(element("button", { type: "button", className: "button secondary", "data-action": "discard", onclick: () => act(item, "discard") }, S.discard));
    const summary = [item.fields.date, item.fields.progress !== "" ? `${item.fields.progress}%` : null, item.statusLabel || null, fill(S.photos, { count: item.photos.length })];
    return element(
      "li",
      { className: `queue-item state-${item.state}`, "data-id": item.id, "data-village": item.village },
      element("strong", {}, item.villageName),
      " · ",
      summary.filter(Boolean).join(" · "),
      " · ",
      element("span", { className: "state" }, S[`state_${item.state}`] || item.state),
      element("p", { className: "queue-text" }, item.fields.text.length > 80 ? item.fields.text.slice(0, 80) + "…" : item.fields.text),
      item.reason ? element("p", { className: "queue-reason" }, item.reason) : null,
      photos.children.length ? photos : null,
      buttons.children.length ? buttons : null,
    );
  }

  async function render() {
    const panel = document.getElementById("offline-queue");
    if (!panel) return;
    const items = await waiting();
    const always = panel.hasAttribute("data-always");
    panel.hidden = !items.length && !always;
    document.getElementById("queue-count").textContent = items.length
      ? fill(items.length === 1 ? S.pending_one : S.pending_many, { count: items.length })
      : S.nothing_pending;
    document.getElementById("sync-now").hidden = !items.some((item) => item.state === "pending");
    document.getElementById("queue-items").replaceChildren(...items.map(itemRow));
  }

  function say(text) {
    const status = document.getElementById("queue-status");
    if (status) status.textContent = text;
  }

  // --- A session that ended: the password again, then send --------------------------------------------

  function askPassword(username) {
    const dialog = document.getElementById("login-prompt");
    if (!dialog || dialog.open) return;
    dialog.dataset.username = username;
    document.getElementById("login-prompt-user").textContent = username;
    document.getElementById("login-prompt-error").hidden = true;
    dialog.showModal();
  }

  async function logIn(event) {
    event.preventDefault();
    const dialog = document.getElementById("login-prompt");
    const password = document.getElementById("login-prompt-password");
    if (!csrfToken()) await fetch(config.login, { credentials: "same-origin" });
    const body = new URLSearchParams({ username: dialog.dataset.username, password: password.value, csrfmiddlewaretoken: csrfToken() });
    let response = null;
    try {
      response = await fetch(config.login, { method: "POST", body, credentials: "same-origin", redirect: "manual" });
    } catch (error) {
      response = null;
    }
    if (!response || response.type !== "opaqueredirect") {
      const problem = document.getElementById("login-prompt-error");
      problem.textContent = S.wrong_password;
      problem.hidden = false;
      return;
    }
    password.value = "";
    dialog.close();
    await syncAll();
  }

  // --- The update form ----------------------------------------------------------------------------------

  function showErrors(form, answer) {
    form.querySelectorAll(".errorlist.from-server").forEach((node) => node.remove());
    const errors = answer.errors || {};
    const general = [];
    Object.entries(errors).forEach(([name, messages]) => {
      const field = form.querySelector(`[name="${name}"]`);
      const list = element("ul", { className: "errorlist from-server" }, ...messages.map((message) => element("li", {}, message)));
      if (field && field.type !== "hidden") field.after(list);
      else general.push(...messages);
    });
    if (!Object.keys(errors).length && answer.reason) general.push(answer.reason);
    if (general.length) form.prepend(element("ul", { className: "errorlist from-server" }, ...general.map((message) => element("li", {}, message))));
  }

  async function queueUpdate(event) {
    const form = event.currentTarget;
    event.preventDefault();
    if (!form.reportValidity()) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const select = form.elements.status;
      const fields = {};
      ["date", "text", "progress", "status", "seen_status"].forEach((name) => {
        fields[name] = form.elements[name] ? form.elements[name].value : "";
      });
      const photos = [];
      for (const file of form.elements.photos.files) photos.push(await preparePhoto(file, Number(form.dataset.maxSide)));
      const consent = document.getElementById("share-position");
      let device = null;
      if (consent && consent.checked) {
        device = await currentPosition();
        if (!device) say(S.position_failed);
      }
      const item = {
        id: crypto.randomUUID(),
        username: USER,
        village: form.dataset.village,
        villageName: form.dataset.villageName,
        api: form.dataset.api,
        createdAt: Date.now(),
        fields,
        statusLabel: select && select.value ? select.options[select.selectedIndex].text : "",
        device,
        photos,
        state: "pending",
        reason: "",
        photoErrors: [],
      };
      await queue.put(item);
      const outcome = navigator.onLine ? await send(item, true) : { kind: "network" };
      if (outcome.kind === "recorded") {
        await queue.remove(item.id);
        await markStale(item.village);
        window.location.assign(outcome.answer.url);
        return;
      }
      if (outcome.kind !== "network" && outcome.kind !== "login") {
        await queue.remove(item.id); // refused while the editor is here: the form still holds it, with the reasons
        showErrors(form, outcome.answer);
        return;
      }
      form.reset();
      form.elements.date.value = today();
      await render();
      say(outcome.kind === "login" ? S.state_login : S.queued);
      if (outcome.kind === "login") askPassword(USER);
    } finally {
      button.disabled = false;
    }
  }

  function setUpForm(form) {
    if (!form.elements.date.value) form.elements.date.value = today();
    const consent = document.getElementById("share-position");
    if (consent && "geolocation" in navigator) {
      consent.closest("[hidden]")?.removeAttribute("hidden");
      consent.checked = localStorage.getItem("offline-share-position") === "1";
      consent.addEventListener("change", () => localStorage.setItem("offline-share-position", consent.checked ? "1" : "0"));
    }
    form.addEventListener("submit", queueUpdate);
  }

  // --- The offline copy ---------------------------------------------------------------------------------

  async function pageCaches() {
    return (await caches.keys()).filter((name) => name.startsWith(PAGES_PREFIX));
  }

  async function dropCopy() {
    await Promise.all((await pageCaches()).map((name) => caches.delete(name)));
    await meta.remove("copy");
  }

  // A part of the offline copy (many pages in one answer), tried three times: a weak signal drops a request
  // now and then.
  async function fetchPart(url, attempts = 3) {
    let response = null;
    try {
      response = await fetch(url, { credentials: "same-origin" });
    } catch (error) {
      response = null;
    }
    if (response && response.ok && !response.redirected) return (await response.json()).pages;
    const retry = !response || response.status >= 500;
    if (retry && attempts > 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return fetchPart(url, attempts - 1);
    }
    throw new Error(`${url}: ${response ? response.status : "no connection"}`);
  }

  // Each page stored as the browser got it from the server: its headers (the Content-Security-Policy too), its body.
  async function savePages(cache, pages) {
    let bytes = 0;
    for (const page of pages) {
      const body = new Blob([page.body]);
      bytes += body.size;
      await cache.put(page.url, new Response(body, { headers: page.headers }));
    }
    return bytes;
  }

  async function saveCopy() {
    const section = document.getElementById("offline-copy");
    const status = document.getElementById("copy-status");
    const progress = document.getElementById("copy-progress");
    const button = document.getElementById("copy-save");
    button.disabled = true;
    const name = PAGES_PREFIX + Date.now();
    try {
      const response = await fetch(section.dataset.copy, { credentials: "same-origin" });
      const listing = await response.json();
      if (!response.ok) throw new Error(listing.reason || response.status);
      const cache = await caches.open(name);
      const parts = [...listing.parts];
      let bytes = 0;
      let done = 0;
      progress.max = listing.urls.length;
      progress.hidden = false;
      status.textContent = fill(S.copy_saving, { done, total: listing.urls.length });
      const worker = async () => {
        while (parts.length) {
          const pages = await fetchPart(parts.shift());
          bytes += await savePages(cache, pages);
          done += pages.length;
          progress.value = done;
          status.textContent = fill(S.copy_saving, { done, total: listing.urls.length });
        }
      };
      await Promise.all(Array.from({ length: Number(section.dataset.parallel) || 1 }, worker));
      await Promise.all((await pageCaches()).filter((other) => other !== name).map((other) => caches.delete(other)));
      const counties = listing.counties.map((county) => county.code);
      await meta.set("copy", { user: listing.user, counties, villages: listing.villages, bytes, savedAt: Date.now(), cache: name });
      localStorage.setItem("offline-copy-checked", String(Date.now()));
    } catch (error) {
      await caches.delete(name);
      status.textContent = fill(S.copy_failed, { reason: error.message });
      return;
    } finally {
      progress.hidden = true;
      button.disabled = false;
    }
    await showCopy();
  }

  async function showCopy() {
    const status = document.getElementById("copy-status");
    if (!status) return;
    const copy = await meta.get("copy");
    const button = document.getElementById("copy-save");
    button.textContent = copy ? button.dataset.refresh : button.dataset.save;
    status.textContent = copy
      ? `${fill(S.copy_saved, { villages: copy.villages, size: size(copy.bytes) })} · ${fill(S.copy_saved_at, { when: localTime(copy.savedAt) })}`
      : S.copy_none;
  }

  // A copy made for another user, or for counties the editor no longer has, is deleted.
  async function checkCopy() {
    const copy = await meta.get("copy");
    if (!copy || !USER) return;
    if (copy.user !== USER) {
      await dropCopy();
      return;
    }
    const checked = Number(localStorage.getItem("offline-copy-checked") || 0);
    if (!navigator.onLine || Date.now() - checked < COPY_CHECK_MS || !config.copy) return;
    try {
      const response = await fetch(config.copy, { credentials: "same-origin" });
      if (response.status === 401) return;
      const listing = response.ok ? await response.json() : { counties: [] };
      localStorage.setItem("offline-copy-checked", String(Date.now()));
      const counties = listing.counties.map((county) => county.code);
      if (counties.join(",") !== copy.counties.join(",")) {
        await dropCopy();
        say(S.copy_changed);
      }
    } catch (error) {
      /* no connection: check next time */
    }
  }

  // After an update is recorded, the saved pages of its village are out of date: fetch them again.
  async function markStale(village) {
    const stale = (await meta.get("stale")) || [];
    if (!stale.includes(village)) await meta.set("stale", [...stale, village]);
  }

  async function refreshStale() {
    const copy = await meta.get("copy");
    const stale = (await meta.get("stale")) || [];
    if (!copy || !stale.length || !navigator.onLine || !config.pages) return;
    const cache = await caches.open(copy.cache);
    try {
      for (const village of stale) await savePages(cache, await fetchPart(`${config.pages}?from=${village}&to=${village}`));
      await meta.remove("stale");
    } catch (error) {
      /* no connection or session: next time */
    }
  }

  // --- Start ----------------------------------------------------------------------------------------------

  function watchLogout() {
    document.querySelectorAll("form").forEach((form) => {
      if (new URL(form.action, window.location.href).pathname !== config.logout) return;
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const count = (await queue.all()).length;
        if (count && !window.confirm(fill(S.confirm_logout, { count }))) return;
        await clearEverything();
        form.submit();
      });
    });
  }

  async function start() {
    if (!secure) {
      const copy = document.getElementById("copy-status");
      if (copy) copy.textContent = S.unsupported;
      return;
    }
    if (!USER) return; // signed out: nothing is stored (an update waiting is sent after the next sign-in)
    if (navigator.serviceWorker) navigator.serviceWorker.register(config.sw, { scope: "/" });
    watchLogout();
    const form = document.getElementById("update-form");
    if (form && form.dataset.api) setUpForm(form);
    document.getElementById("sync-now")?.addEventListener("click", () => (navigator.onLine ? syncAll() : say(S.offline_now)));
    document.getElementById("login-prompt-form")?.addEventListener("submit", logIn);
    document.getElementById("login-prompt-cancel")?.addEventListener("click", () => document.getElementById("login-prompt").close());
    const save = document.getElementById("copy-save");
    if (save) {
      save.hidden = false;
      save.addEventListener("click", saveCopy);
    }
    window.addEventListener("online", () => syncAll());
    setInterval(() => syncAll(), RETRY_MS);
    await checkCopy();
    await showCopy();
    await render();
    await syncAll();
    document.documentElement.dataset.offlineReady = "1";
  }

  window.villagesOffline = { syncAll, waiting };
  start();
})();
