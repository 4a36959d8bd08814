import type { Command } from 'commander';

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the config file: print every problem with file:line:column, or "valid"')
    .option('-c, --config <file>', 'config file (default: $PICTURE_BOOK_CONFIG, else ./config.yaml)')
    .action(async (flags: { config?: string }) => {
      const { loadConfig, resolveConfigPath } = await import('../config/index.js');
      const { escapeControl } = await import('../display/terminal.js');
      const path = resolveConfigPath(flags.config, process.env, process.cwd());
      // A ConfigError propagates to main, which prints each problem and exits 2.
      const { warnings } = await loadConfig(path);
      for (const warning of warnings) process.stderr.write(`warning: ${escapeControl(warning)}\n`);
      process.stdout.write(`${path}: valid\n`);
    });
}
