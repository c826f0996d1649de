/* The service worker of the 百乡千村 tracker (served at /sw.js, scope /).
 *
 * Pages come from the network; when there is none (or it does not answer within a few seconds), from the
 * offline copy the editor saved on the 离线使用本县村庄 page (caches named "pages-…", written by offline.js),
 * else the page that says this address has no offline copy. Static files are served from the cache and
 * refreshed in the background. Nothing else is stored, and signing out deletes every cache.
 */
const CONFIG = {{ config|safe }};
const SHELL_CACHE = "shell-" + CONFIG.version;
const STATIC_CACHE = "static";
const PAGES_PREFIX = "pages-";
const NETWORK_TIMEOUT_MS = 6000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      // Without cookies: the page for addresses without an offline copy names no user.
      .then((cache) => cache.addAll(CONFIG.shell.map((url) => new Request(url, { credentials: "omit" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((name) => name.startsWith("shell-") && name !== SHELL_CACHE).map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith(CONFIG.static) || CONFIG.shell.includes(url.pathname)) {
    event.respondWith(staticFile(request, event));
  }
});

// The same page whatever the order of its query parameters, and without empty ones ("?&page=2").
function canonical(address) {
  const url = new URL(address);
  const params = [...url.searchParams].filter(([key, value]) => key && value);
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(params).toString();
  url.hash = "";
  return url.href;
}

async function savedPage(address) {
  const names = (await caches.keys()).filter((name) => name.startsWith(PAGES_PREFIX));
  for (const name of names) {
    const hit = await (await caches.open(name)).match(address, { ignoreVary: true });
    if (hit) return hit;
  }
  return undefined;
}

function withTimeout(promise, milliseconds) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), milliseconds);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function page(request) {
  const saved = await savedPage(canonical(request.url));
  try {
    return await (saved ? withTimeout(fetch(request), NETWORK_TIMEOUT_MS) : fetch(request));
  } catch (error) {
    if (saved) return saved;
    const fallback = await caches.match(CONFIG.fallback, { ignoreVary: true });
    return (
      fallback ||
      new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } })
    );
  }
}

async function staticFile(request, event) {
  const cached = await caches.match(request, { ignoreVary: true });
  const network = fetch(request).then(async (response) => {
    if (response.ok) await (await caches.open(STATIC_CACHE)).put(request, response.clone());
    return response;
  });
  if (!cached) return network;
  event.waitUntil(network.catch(() => undefined));
  return cached;
}
