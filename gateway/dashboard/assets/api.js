// Talking to the dashboard API: JSON reads with the admin token (kept in sessionStorage) and downloads that carry it.

const TOKEN_KEY = 'airlock.adminToken';

/** Raised when the API answers 401: the app shows the token form. */
export class UnauthorizedError extends Error {
  code = 'UNAUTHORIZED';
}

export class ApiError extends Error {
  code = 'API_ERROR';
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function authHeaders() {
  const value = token();
  return value ? { Authorization: `Bearer ${value}` } : {};
}

const unauthorizedListeners = new Set();

/** Called when any request is refused for want of a token. */
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
}

export function reportUnauthorized() {
  for (const listener of unauthorizedListeners) listener();
}

/** `/api/path?…` with empty parameters left out. */
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export async function getJson(path, params = {}) {
  const response = await fetch(apiUrl(path, params), {
    headers: { Accept: 'application/json', ...authHeaders() },
    cache: 'no-store',
  });
  if (response.status === 401) {
    reportUnauthorized();
    throw new UnauthorizedError('the admin token is missing or wrong');
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body && typeof body.error === 'string') message = body.error;
      else if (body?.error && typeof body.error.message === 'string') message = body.error.message;
    } catch {
      // The body was not JSON: the status line says enough.
    }
    throw new ApiError(response.status, message);
  }
  return response.json();
}

/**
 * Downloads `url` as a file. Without a token the link works on its own; with one, a plain link
 * could not send the header, so the file is fetched with it and handed to the browser as a blob.
 */
export async function download(url, filename) {
  const response = await fetch(url, { headers: authHeaders(), cache: 'no-store' });
  if (response.status === 401) {
    reportUnauthorized();
    return;
  }
  const blob = await response.blob();
  const objectUrl = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = objectUrl;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 1000);
}
