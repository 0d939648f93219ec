// The dashboard's link to the gateway: JSON calls with the bearer token (kept in localStorage),
// and the event stream read with fetch (EventSource cannot send an Authorization header).

const TOKEN_KEY = "sluice.token";

/** Raised for a non-2xx answer; `status` and `body` (the gateway's error shape) attached. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export function setToken(token) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

function headers(extra = {}) {
  const token = localStorage.getItem(TOKEN_KEY);
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

/** Calls the API; resolves to the parsed JSON answer. */
export async function api(path, { method = "GET", body } = {}) {
  const init = {
    method,
    headers: headers(body === undefined ? {} : { "content-type": "application/json" }),
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path, init);
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** A query string of the non-empty values of `params`. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, v);
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

/**
 * Follows `/v1/stream`, calling `onEvent(type, data)` per event and `onStatus(live)` when the
 * connection opens or drops; reconnects after a pause, resuming after the last event seen
 * (`Last-Event-ID`). Returns a function that stops it.
 */
export function follow(onEvent, onStatus) {
  let stopped = false;
  let controller = null;
  let lastId = null;
  const run = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const extra = lastId ? { "last-event-id": lastId } : {};
        const res = await fetch("/v1/stream", {
          headers: headers(extra),
          signal: controller.signal,
        });
        if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
        onStatus(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            lastId = dispatch(buffer.slice(0, end), onEvent) ?? lastId;
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) onStatus(false, error);
      }
      onStatus(false);
      if (!stopped) await new Promise((r) => setTimeout(r, 2000));
    }
  };
  run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

/** Hands one event block to `onEvent`; returns its id, if it has one. */
function dispatch(block, onEvent) {
  let type = "message";
  let data = "";
  let id = null;
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
    else if (line.startsWith("id:")) id = line.slice(3).trim();
  }
  if (data) onEvent(type, JSON.parse(data));
  return id;
}
