import { invalidConfigTests, reg, useConfigDir } from './config-test-kit.js';

/** Refused configs: credentials, CA files, sources and the API's address and token. */

const configDir = useConfigDir('pb-config-access-');

const FOR_EXAMPLE = '(e.g. 127.0.0.1, 0.0.0.0, ::1 or localhost)';
/** A config whose api.host is `host`, refused at api.host's value with `problem`. */
const apiHost = (name: string, host: string, problem: string): [string, string, string[]] => [
  name,
  `${reg()}api:\n  host: '${host}'\n`,
  [`6:9 api.host: ${problem}`],
];

invalidConfigTests(configDir, [
  [
    'enableAuth without a token',
    `${reg()}api:\n  enabled: true\n  enableAuth: true\n`,
    ['6:3 api.authToken: enableAuth is true but authToken is empty'],
  ],
  [
    'authToken as a number, with enableAuth',
    `${reg()}api:\n  enableAuth: true\n  authToken: 12345678\n`,
    ['7:14 api.authToken: expected a string, got number'],
  ],
  [
    'unknown key in a source',
    `${reg()}sources:\n  quay.io:\n    cafile: ./ca.pem\n`,
    ['7:5 sources["quay.io"].cafile: unknown key "cafile" (did you mean "caFile"?)'],
  ],
  [
    'source host with a scheme',
    `${reg()}sources:\n  'https://quay.io':\n    insecure: true\n`,
    [
      '6:3 sources["https://quay.io"]: invalid reference "https://quay.io": registry host must not have a scheme (drop "http://" or "https://")',
    ],
  ],
  [
    'duplicate source host',
    `${reg()}sources:\n  quay.io: {insecure: true}\n  Quay.IO: {tlsVerify: false}\n`,
    ['7:3 sources["Quay.IO"]: duplicate source "quay.io" (already listed as "quay.io")'],
  ],
  [
    'missing CA file of a source',
    `${reg()}sources:\n  'quay.io:5000':\n    caFile: ./nope.pem\n`,
    [`7:13 sources["quay.io:5000"].caFile: CA file not found: DIR/nope.pem`],
  ],
  [
    'source auth without colon',
    `${reg()}sources:\n  quay.io:\n    auth: 'Pw1-no-colon'\n`,
    ['7:11 sources["quay.io"].auth: credentials must be "username:password" (no ":" found)'],
  ],
  [
    'source setting of the wrong type',
    `${reg()}sources:\n  quay.io:\n    insecure: "yes"\n    auth: 1234\n`,
    [
      '7:15 sources["quay.io"].insecure: expected a boolean (true or false), got string "yes"',
      '8:11 sources["quay.io"].auth: expected a string, got number',
    ],
  ],
  [
    'a proxy that is not an http(s) URL, never quoted (it may hold a password)',
    `${reg()}sources:\n  quay.io:\n    proxy: 'socks5://u:pw-8@gw:1080'\n  ghcr.io: {proxy: 'gw:3128'}\n  docker.io: {proxy: 'http://gw:3128/path', maxConcurrent: 0}\n`,
    [
      '7:12 sources["quay.io"].proxy: has the scheme socks5: where http: or https: is needed',
      '8:20 sources["ghcr.io"].proxy: is not a URL: write http://HOST:PORT (or "none" for no proxy)',
      '9:22 sources["docker.io"].proxy: must be http(s)://HOST:PORT, without a path',
      '9:60 sources["docker.io"].maxConcurrent: must be greater than 0, got number 0',
    ],
  ],
  ['sources as a list', `${reg()}sources: [quay.io]\n`, ['5:10 sources: expected a mapping, got a list']],
  [
    'malformed base64 docker config',
    reg("    pullAuthConfig: 'eyJub3Rqc29u'\n"),
    ['5:21 registries[0].pullAuthConfig: DockerConfigJSON (base64-decoded) is not valid JSON'],
  ],
  [
    'docker config without auths',
    reg('    pushAuthConfig: \'{"credHelpers": {}}\'\n'),
    ['5:21 registries[0].pushAuthConfig: DockerConfigJSON has no "auths" object'],
  ],
  [
    'user:pass without colon',
    reg("    pushAuthConfig: 'justauser'\n"),
    ['5:21 registries[0].pushAuthConfig: credentials must be "username:password" (no ":" found)'],
  ],
  [
    'unset environment variable',
    reg("    pushAuthConfig: 'bot:${REGISTRY_PASSWORD}'\n"),
    ['5:21 environment variable "REGISTRY_PASSWORD" is not set'],
  ],
  ['missing CA file', reg('    caFile: ./ca.pem\n'), [`5:13 registries[0].caFile: CA file not found: DIR/ca.pem`]],
  apiHost('api.host with spaces', 'not a host', `"not a host" is neither an IP address nor a host name ${FOR_EXAMPLE}`),
  apiHost('api.host with a port', '127.0.0.1:8001', `"127.0.0.1:8001": the port goes in api.port, not in api.host`),
  apiHost('api.host IPv6 in brackets', '[::1]', `"[::1]": write the IPv6 address without brackets ("::1")`),
  apiHost('api.host with a scheme', 'http://0.0.0.0', `"http://0.0.0.0": no scheme, only the address to listen on ${FOR_EXAMPLE}`),
  apiHost('api.host empty', '', `is empty: give an IP address or a host name ${FOR_EXAMPLE}`),
  [
    'CA file that is a private key',
    reg('    caFile: ./key.pem\n'),
    [
      `5:13 registries[0].caFile: CA file is a private key, not a CA certificate: DIR/key.pem (give the CA's certificate: a PEM "BEGIN CERTIFICATE" block)`,
    ],
  ],
  [
    'CA file that is not PEM',
    reg('    caFile: ./not-pem.txt\n'),
    [
      `5:13 registries[0].caFile: CA file is not a CA certificate: DIR/not-pem.txt (no PEM "BEGIN CERTIFICATE" block; a DER file converts with openssl x509 -inform der -in FILE)`,
    ],
  ],
  [
    'CA file with a broken certificate',
    reg('    caFile: ./broken-cert.pem\n'),
    [`5:13 registries[0].caFile: CA file has a certificate that cannot be read (PEM block 1): DIR/broken-cert.pem`],
  ],
  [
    'source CA file that is a private key',
    `${reg()}sources:\n  quay.io: {caFile: ./key.pem}\n`,
    [
      `6:21 sources["quay.io"].caFile: CA file is a private key, not a CA certificate: DIR/key.pem (give the CA's certificate: a PEM "BEGIN CERTIFICATE" block)`,
    ],
  ],
]);
