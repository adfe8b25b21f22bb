import { ProgressRenderer } from '../src/index';

function collector(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, columns: 120, write: (text: string) => chunks.push(text), cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => undefined, removeListener: () => undefined }, chunks };
}

describe('ProgressRenderer', () => {
  it('prints a line every interval (and at the last step) when stderr is not a terminal, with rate and ETA', () => {
    let clock = 0;
    const { stream, chunks } = collector(false);
    const renderer = new ProgressRenderer({ stream, intervalSeconds: 10, now: () => clock });
    for (let step = 0; step <= 100; step++) {
      clock = step; // 1 step per second
      renderer.update({ type: 'progress', stage: 'distill', step, total: 100, metrics: { loss: 1.5 } });
    }
    renderer.stop();
    // steps 0, 10, …, 100: one line per 10 s, the last one forced
    expect(chunks).toHaveLength(11);
    expect(chunks[5]).toBe('distill 50/100 (50%) 1.00/s ETA 50s loss=1.500\n');
    expect(chunks[10]).toMatch(/^distill 100\/100 \(100%\) 1\.00\/s ETA 0\.0s/);
  });

  it('measures rate and ETA from the first step it saw (a resumed run)', () => {
    let clock = 0;
    const { stream, chunks } = collector(false);
    const renderer = new ProgressRenderer({ stream, intervalSeconds: 0, now: () => clock });
    renderer.update({ type: 'progress', stage: 'distill', step: 60, total: 100 });
    clock = 20;
    renderer.update({ type: 'progress', stage: 'distill', step: 70, total: 100 });
    expect(chunks[1]).toBe('distill 70/100 (70%) 0.50/s ETA 1m 00s\n');
  });

  it('draws a cli-progress bar on a terminal', () => {
    let clock = 0;
    const { stream, chunks } = collector(true);
    const renderer = new ProgressRenderer({ stream, intervalSeconds: 10, now: () => clock });
    clock = 4;
    renderer.update({ type: 'progress', stage: 'eval:klue-nli', step: 0, total: 8 });
    clock = 8;
    renderer.update({ type: 'progress', stage: 'eval:klue-nli', step: 4, total: 8 });
    renderer.stop();
    const text = chunks.join('');
    expect(text).toContain('eval:klue-nli |');
    expect(text).toContain('4/8');
    expect(text).toContain('1.00/s');
    expect(text).toContain('ETA 4.0s');
  });
});
