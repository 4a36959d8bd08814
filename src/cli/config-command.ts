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
  config
    .command('import-image-syncer')
    .description("print a config.yaml equivalent to image-syncer's files (credentials as ${VAR} placeholders)")
    .option('--auth <file>', 'authentication file, YAML or JSON (default: ./auth.json, when it exists)')
    .option('--images <file>', 'image rules file, YAML or JSON (default: ./images.json)')
    .option('--config <file>', 'the older single file with auth: and images:')
    .option('--registry <host>', 'default target registry (default: $DEFAULT_REGISTRY)')
    .option('--retries <n>', 'retries of every registry entry (image-syncer default: 2)', (v: string) => Number.parseInt(v, 10), 2)
    .action(async (flags: { auth?: string; images?: string; config?: string; registry?: string; retries: number }) => {
      const { importImageSyncer } = await import('./import-image-syncer.js');
      await importImageSyncer(flags);
    });
}
