/** One challenge of a `WWW-Authenticate` header. */
export interface Challenge {
  /** Lowercased: `basic`, `bearer`, ... */
  scheme: string;
  /** Parameter names lowercased; values unquoted. */
  params: Record<string, string>;
}

/** Splits at commas that are not inside a quoted string. */
function splitOutsideQuotes(header: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i] ?? '';
    if (quoted && c === '\\') {
      current += c + (header[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

function unquote(value: string): string {
  const v = value.trim();
  if (!v.startsWith('"')) return v;
  return v.slice(1, v.endsWith('"') ? -1 : undefined).replace(/\\(.)/g, '$1');
}

const PARAM = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*(.*)$/s;
const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*$/;
const SCHEME_FIRST = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?:\s+(.*))?$/s;

/**
 * RFC 7235: several challenges per header (`Bearer realm="a",scope="x, y", Basic realm="b"`),
 * quoted values with commas, spaces and backslash escapes; token68 values are kept as `token68`.
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  for (const part of splitOutsideQuotes(header)) {
    const param = PARAM.exec(part);
    const current = challenges.at(-1);
    // `name=value` without a leading scheme continues the current challenge.
    if (param && current) {
      current.params[(param[1] ?? '').toLowerCase()] = unquote(param[2] ?? '');
      continue;
    }
    const scheme = SCHEME_FIRST.exec(part);
    if (!scheme) continue;
    const challenge: Challenge = { scheme: (scheme[1] ?? '').toLowerCase(), params: {} };
    challenges.push(challenge);
    const rest = scheme[2]?.trim();
    if (!rest) continue;
    const first = PARAM.exec(rest);
    // token68 (`abc123==`) also matches name=value; its '=' are only trailing padding.
    if (first && !TOKEN68.test(rest)) challenge.params[(first[1] ?? '').toLowerCase()] = unquote(first[2] ?? '');
    else challenge.params.token68 = rest;
  }
  return challenges;
}
