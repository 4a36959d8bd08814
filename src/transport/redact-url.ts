/**
 * A URL safe to show in errors and logs: no userinfo, and upload-session state tokens masked
 * (the `_state` parameter of distribution's upload URLs is an HMAC'd session secret).
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return '<invalid url>';
  }
  parsed.username = '';
  parsed.password = '';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/^_state$|token|signature|credential|password|secret/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString().replace(/%2A%2A%2A/g, '***');
}
