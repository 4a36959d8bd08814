import { invalidConfigTests, reg, useConfigDir } from './config-test-kit.js';

/** Refused configs: a registry's host, repository and images as references, and its syncer script and arguments. */

const configDir = useConfigDir('pb-config-registries-');

invalidConfigTests(configDir, [
  [
    'bad hostname',
    "registries:\n  - hostname: 'https://reg.example'\n    images: [nginx]\n",
    [
      '2:15 registries[0].hostname: invalid reference "https://reg.example": registry host must not have a scheme (drop "http://" or "https://")',
    ],
  ],
  [
    'hostname with credentials',
    "registries:\n  - hostname: 'https://tester:Pw1@reg.example'\n    images: [nginx]\n",
    [
      '2:15 registries[0].hostname: invalid reference "https://tester:***@reg.example": registry host must not contain credentials ("user:password@"): give them separately (pushAuthConfig/pullAuthConfig, --src-creds/--dest-creds)',
    ],
  ],
  [
    'image with credentials',
    "registries:\n  - hostname: reg.example\n    images: ['u:Pw1@quay.io/app']\n",
    [
      '3:14 registries[0].images[0]: invalid reference "u:***@quay.io/app": credentials do not belong in a reference: use --src-creds/--dest-creds (copy) or pullAuthConfig/pushAuthConfig (config.yaml)',
    ],
  ],
  [
    'bad port in hostname',
    "registries:\n  - hostname: 'reg.example:0'\n    images: [nginx]\n",
    ['2:15 registries[0].hostname: invalid reference "reg.example:0": registry host port must be 1-65535'],
  ],
  [
    'duplicate hostname',
    `${reg()}  - hostname: REG.example\n    images: [nginx]\n`,
    ['5:15 registries[1].hostname: duplicate hostname "reg.example" (already used by registries[0])'],
  ],
  [
    'missing hostname',
    'registries:\n  - repository: mirror\n    images: [nginx]\n',
    ['2:5 registries[0].hostname: missing required key "hostname"'],
  ],
  [
    'missing script file',
    'registries:\n  - hostname: reg.example\n    syncerScript: ./nope.sh\n',
    [`3:19 registries[0].syncerScript: syncer script not found: DIR/nope.sh`],
  ],
  [
    'script not executable',
    'registries:\n  - hostname: reg.example\n    syncerScript: not-exec.sh\n',
    [`3:19 registries[0].syncerScript: syncer script is not executable: DIR/not-exec.sh`],
  ],
  [
    'bad image reference',
    "registries:\n  - hostname: reg.example\n    images:\n      - nginx:1.25\n      - 'quay.io/CoreOS/etcd'\n",
    ['5:9 registries[0].images[1]: invalid reference "quay.io/CoreOS/etcd": path component "CoreOS" must be lowercase'],
  ],
  [
    'neither script nor images nor mirrors',
    'registries:\n  - hostname: reg.example\n',
    ['2:5 registries[0]: needs something to mirror: a "syncerScript", an "images" list or "mirrors" rules (any of them together)'],
  ],
  [
    'repository with uppercase',
    'registries:\n  - hostname: reg.example\n    repository: Mirror\n    images: [nginx]\n',
    ['3:17 registries[0].repository: invalid reference "Mirror": path component "Mirror" must be lowercase'],
  ],
  ['script args not a string', reg('    syncerScriptArgs: 5\n'), ['5:23 registries[0].syncerScriptArgs: expected a string, got number 5']],
  [
    'shell operator in script args',
    reg("    syncerScriptArgs: '--team a; rm -rf /'\n"),
    [
      '5:23 registries[0].syncerScriptArgs: shell operator ";" at character 9 is not allowed: the script runs without a shell (quote it to pass it as text)',
    ],
  ],
  [
    'pipe in script args',
    reg("    syncerScriptArgs: '--all | tee log'\n"),
    [
      '5:23 registries[0].syncerScriptArgs: shell operator "|" at character 7 is not allowed: the script runs without a shell (quote it to pass it as text)',
    ],
  ],
  [
    'command substitution in script args',
    reg("    syncerScriptArgs: '--token $(cat /run/token)'\n"),
    [
      '5:23 registries[0].syncerScriptArgs: command substitution "$(" at character 9 is not allowed: the script runs without a shell (quote it to pass it as text)',
    ],
  ],
  [
    'backticks in script args',
    reg('    syncerScriptArgs: "--user `whoami`"\n'),
    [
      '5:23 registries[0].syncerScriptArgs: command substitution "`" at character 8 is not allowed: the script runs without a shell (quote it to pass it as text)',
    ],
  ],
  [
    'unterminated quote in script args',
    reg("    syncerScriptArgs: '--team \"platform tools'\n"),
    ['5:23 registries[0].syncerScriptArgs: unterminated double quote at character 8'],
  ],
]);
