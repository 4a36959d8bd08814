import { invalidConfigTests, reg, useConfigDir } from './config-test-kit.js';

/** Refused configs: unknown keys (with the nearest known one), wrong types, numbers out of range, cron and time zones, YAML syntax. */

const configDir = useConfigDir('pb-config-values-');

invalidConfigTests(configDir, [
  ['unknown top-level key', `${reg()}dispaly: spinner\n`, ['5:1 dispaly: unknown key "dispaly" (did you mean "display"?)']],
  ['unknown registry key', reg('    hostnme: x\n'), ['5:5 registries[0].hostnme: unknown key "hostnme" (did you mean "hostname"?)']],
  ['unknown key, nothing close', reg('    colour: blue\n'), ['5:5 registries[0].colour: unknown key "colour"']],
  ['unknown api key', `${reg()}api:\n  prot: 80\n`, ['6:3 api.prot: unknown key "prot" (did you mean "port"?)']],
  [
    'boolean as a string',
    reg('    deleteLocalImages: "yes"\n'),
    ['5:24 registries[0].deleteLocalImages: expected a boolean (true or false), got string "yes"'],
  ],
  ['number as a string', `${reg()}api:\n  port: "8001"\n`, ['6:9 api.port: expected a number, got string "8001"']],
  ['port out of range', `${reg()}api:\n  port: 70000\n`, ['6:9 api.port: must be at most 65535, got number 70000']],
  ['fractional port', `${reg()}api:\n  port: 80.5\n`, ['6:9 api.port: expected a whole number, got number 80.5']],
  [
    'bad cron',
    reg("    syncPeriod: '*/1 * * *'\n"),
    ['5:17 registries[0].syncPeriod: cron needs 5 fields (or 6 with seconds), got 4: "*/1 * * *"'],
  ],
  [
    '7-field cron',
    reg("    syncPeriod: '0 0 * * * * 2026'\n"),
    ['5:17 registries[0].syncPeriod: cron needs 5 fields (or 6 with seconds), got 7: "0 0 * * * * 2026"'],
  ],
  [
    'cron field out of range',
    reg("    syncPeriod: '61 * * * *'\n"),
    ['5:17 registries[0].syncPeriod: invalid cron "61 * * * *": CronPattern: Invalid value for minute: 61'],
  ],
  ['bad display', `${reg()}display: fancy\n`, ['5:10 display: must be "spinner" or empty, got "fancy"']],
  [
    'unknown nested key, shortened',
    `${reg()}sync:\n  gracePeriod: 10\n`,
    ['6:3 sync.gracePeriod: unknown key "gracePeriod" (did you mean "gracePeriodSeconds"?)'],
  ],
  [
    'unknown nested key, typo',
    `${reg()}sync:\n  runOnStrat: false\n`,
    ['6:3 sync.runOnStrat: unknown key "runOnStrat" (did you mean "runOnStart"?)'],
  ],
  [
    'unknown state key',
    `${reg()}state:\n  retention: 3\n`,
    ['6:3 state.retention: unknown key "retention" (did you mean "retentionDays"?)'],
  ],
  ['unknown concurrency key', `${reg()}concurrency:\n  blob: 3\n`, ['6:3 concurrency.blob: unknown key "blob" (did you mean "blobs"?)']],
  [
    'unknown registry key, shortened',
    reg('    syncerScriptTimeout: 30\n'),
    ['5:5 registries[0].syncerScriptTimeout: unknown key "syncerScriptTimeout" (did you mean "syncerScriptTimeoutSeconds"?)'],
  ],
  ['negative concurrency', reg('    concurrency: -2\n'), ['5:18 registries[0].concurrency: must be greater than 0, got number -2']],
  [
    'YAML syntax error',
    'registries:\n  - hostname: [unclosed\n',
    ['3:1 YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  ],
  [
    'alias to an undefined anchor',
    reg('    pushAuthConfig: *SecretAlias99\n'),
    ['5:21 registries[0].pushAuthConfig: YAML alias refers to no anchor defined before it (a value that starts with "*" must be quoted)'],
  ],
  [
    'alias in a list, next to a good one',
    'registries:\n  - hostname: reg.example\n    images: [&first nginx, *first, *Pw-2b]\n',
    ['3:36 registries[0].images[2]: YAML alias refers to no anchor defined before it (a value that starts with "*" must be quoted)'],
  ],
  [
    'script timeout beyond a Node timer',
    reg('    syncerScriptTimeoutSeconds: 3000000\n'),
    ['5:33 registries[0].syncerScriptTimeoutSeconds: must be at most 86400, got number 3000000'],
  ],
  [
    'infinite script timeout',
    reg('    syncerScriptTimeoutSeconds: 1e400\n'),
    ['5:33 registries[0].syncerScriptTimeoutSeconds: must be at most 86400, got number Infinity'],
  ],
  [
    'script line cap of zero',
    reg('    syncerScriptMaxLineBytes: 0\n'),
    ['5:31 registries[0].syncerScriptMaxLineBytes: must be greater than 0, got number 0'],
  ],
  [
    'script line count cap too big',
    reg('    syncerScriptMaxLines: 2000000\n'),
    ['5:27 registries[0].syncerScriptMaxLines: must be at most 1000000, got number 2000000'],
  ],
  [
    'grace period beyond a Node timer',
    `${reg()}sync:\n  gracePeriodSeconds: 1e12\n`,
    ['6:23 sync.gracePeriodSeconds: must be at most 3600, got number 1000000000000'],
  ],
  [
    'grace period .inf',
    `${reg()}sync:\n  gracePeriodSeconds: .inf\n`,
    ['6:23 sync.gracePeriodSeconds: must be at most 3600, got number Infinity'],
  ],
  ['grace period .nan', `${reg()}sync:\n  gracePeriodSeconds: .nan\n`, ['6:23 sync.gracePeriodSeconds: expected a number, got number NaN']],
  [
    'retention beyond ten years',
    `${reg()}state:\n  retentionDays: 1e300\n`,
    ['6:18 state.retentionDays: must be at most 3650, got number 1e+300'],
  ],
  ['huge concurrency', `${reg()}concurrency:\n  blobs: 1e9\n`, ['6:10 concurrency.blobs: must be at most 1000, got number 1000000000']],
  ['empty file', '', ['1:1 config is empty: expected a "registries" list']],
  ['registries not a list', 'registries: reg.example\n', ['1:13 registries: expected a list, got string "reg.example"']],
  ['empty registries', 'registries: []\n', ['1:13 registries: must list at least 1 item']],
  ['unknown time zone', `${reg()}sync:\n  timezone: Mars/Olympus\n`, ['6:13 sync.timezone: unknown time zone "Mars/Olympus"']],
]);
