import { isIP } from 'node:net';

// RFC 1123 host name labels; the address the API binds to, so no port and no brackets.
const LABEL = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])$/;

/** Why `api.host` is not an address to listen on (an IP or a host name), or undefined when it is one. */
export function listenHostProblem(host: string): string | undefined {
  if (isIP(host) !== 0) return undefined;
  const example = '(e.g. 127.0.0.1, 0.0.0.0, ::1 or localhost)';
  if (host.trim() === '') return `is empty: give an IP address or a host name ${example}`;
  const bracketed = /^\[(.*)\]$/.exec(host)?.[1];
  if (bracketed !== undefined && isIP(bracketed) === 6) return `"${host}": write the IPv6 address without brackets ("${bracketed}")`;
  if (/^[^:]+:\d+$/.test(host)) return `"${host}": the port goes in api.port, not in api.host`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return `"${host}": no scheme, only the address to listen on ${example}`;
  if (
    host.length <= 253 &&
    host
      .replace(/\.$/, '')
      .split('.')
      .every((label) => LABEL.test(label))
  )
    return undefined;
  return `"${host}" is neither an IP address nor a host name ${example}`;
}
