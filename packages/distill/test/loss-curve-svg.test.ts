import { lossCurveSvg, niceTicks } from '../src/lib/report/loss-curve-svg';

describe('lossCurveSvg', () => {
  it('draws one polyline per series through the data, scaled into the plot box', () => {
    const svg = lossCurveSvg({
      title: 'relation loss <test>',
      series: [
        { name: 'total', points: [[0, 4], [10, 2], [20, 1]] },
        { name: 'en', points: [[0, 3], [5, NaN], [20, 0.5]] },
      ],
      width: 800,
      height: 450,
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('relation loss &lt;test&gt;');
    const polylines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1].split(' ').map((p) => p.split(',').map(Number)));
    expect(polylines.length).toBe(2);
    expect(polylines[1].length).toBe(2); // NaN left out
    const [first, , last] = polylines[0];
    // x: step 0 at the left edge (70), step 20 at the right edge (780); y: 0 at the bottom (400), 4 at the top (40)
    expect(first).toEqual([70, 40]);
    expect(last[0]).toBe(780);
    expect(last[1]).toBeCloseTo(400 - (1 / 4) * 360, 1);
  });

  it('log scale drops non-positive values and labels decades; ticks are round', () => {
    const svg = lossCurveSvg({ title: 't', logScale: true, series: [{ name: 'loss', points: [[1, 10], [2, 0.01], [3, 0]] }] });
    expect(svg).toContain('(log scale)');
    expect([...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)][0][1].split(' ').length).toBe(2);
    expect(svg).toMatch(/>0\.1</);
    expect(niceTicks(0, 1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(0.13, 0.87)).toEqual([0.2, 0.4, 0.6, 0.8]);
  });
});
