/**
 * The `slipway` command line (bin/slipway.js imports the compiled form).
 * Importing this module runs the CLI with process.argv; commands are plain
 * async functions returning an exit code, so tests call them directly.
 */
import { validateCommand } from './definition/validate-command.js';

type Command = (args: string[]) => Promise<number>;

/** One line per command for `slipway help`; keep in step with `commands`. */
export const summaries: Record<string, string> = {
  serve: 'start the Slipway server (configuration from SLIPWAY_* environment variables)',
  validate: 'check a .gitpod.yml / devcontainer.json and print the normalized spec',
  help: 'show this help',
};

export const commands: Record<string, Command> = {
  serve: async () => (await import('./main.js')).serve(),
  validate: (args) => validateCommand(args),
  help: async () => {
    const width = Math.max(...Object.keys(commands).map((n) => n.length));
    const lines = Object.keys(commands).map((n) => `  ${n.padEnd(width)}  ${summaries[n] ?? ''}`);
    process.stdout.write(`usage: slipway <command> [args]\n\ncommands:\n${lines.join('\n')}\n\n'slipway <command> --help' shows a command's options.\n`);
    return 0;
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name = 'help', ...args] = argv;
  const command = name === '--help' || name === '-h' ? commands['help'] : commands[name];
  if (!command) {
    process.stderr.write(`slipway: unknown command ${JSON.stringify(name)}; try 'slipway help'\n`);
    return 2;
  }
  try {
    return await command(args);
  } catch (err) {
    process.stderr.write(`slipway ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
