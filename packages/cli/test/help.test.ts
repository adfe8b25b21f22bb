import { runCli } from './helpers';

const COMMANDS = ['merge-vocab', 'init-embeddings', 'distill', 'eval', 'eval-merge', 'pretrain-mlm', 'run', 'info'];

describe('koenbert --help', () => {
  it('lists every command and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const name of COMMANDS) expect(stdout).toContain(name);
    expect(stdout).toMatchSnapshot();
  });

  it.each(COMMANDS)('%s --help shows its options and examples', async (name) => {
    const { code, stdout } = await runCli([name, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain(`$ koenbert ${name}`);
    expect(stdout).toMatchSnapshot();
  });

  it('gives a flag for every dotted key of the distill schema', async () => {
    const { stdout } = await runCli(['distill', '--help']);
    for (const flag of ['--optim.lr <number>', '--teachers.ko.model', '--data.mixSchedule', '--checkpoint.every', '--resume [bool]']) expect(stdout).toContain(flag);
  });

  it('exits 2 on an unknown command or flag', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const bad = await runCli(['merge-vocab', '--no-such-flag', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option '--no-such-flag'");
  });
});
