/**
 * RFC 9110's reason phrases for the statuses registries, proxies and token services answer. Kept
 * here rather than taken from node:http, which the CLI does not otherwise load.
 */
const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  507: 'Insufficient Storage',
  511: 'Network Authentication Required',
};

/** `Too Many Requests` for 429; for a status without a standard phrase, what class it is in. */
export function reasonPhrase(status: number): string {
  const phrase = PHRASES[status];
  if (phrase) return phrase;
  if (status >= 500 && status <= 599) return 'server error';
  if (status >= 400 && status <= 499) return 'client error';
  if (status >= 300 && status <= 399) return 'redirect';
  return 'unexpected status';
}
