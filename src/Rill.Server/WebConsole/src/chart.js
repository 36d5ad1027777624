import uPlot from 'uplot';

/**
 * A time-series chart (uPlot) that keeps its own points: series = [{label, stroke, scale, value}],
 * add(point) appends, capped at `max` points.
 */
export class TimeChart {
  constructor(container, { title, series, axes, max = 300, height = 220 }) {
    this.max = max;
    this.data = [[], ...series.map(() => [])];
    this.series = series;
    const width = Math.max(320, container.clientWidth || 600);
    this.plot = new uPlot({
      title,
      width,
      height,
      scales: { x: { time: true } },
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, scale: s.scale || 'y', value: s.value }))],
      axes: [{}, ...(axes || [{ scale: 'y' }])],
      legend: { live: false },
    }, this.data, container);
    this.resize = () => this.plot.setSize({ width: Math.max(320, container.clientWidth || 600), height });
    window.addEventListener('resize', this.resize);
  }

  /** values: one per series; t: Unix ms. */
  add(t, values) {
    this.data[0].push(t / 1000);
    values.forEach((v, i) => this.data[i + 1].push(v));
    if (this.data[0].length > this.max) this.data.forEach((d) => d.shift());
    this.plot.setData(this.data);
  }

  reset() {
    this.data.forEach((d) => { d.length = 0; });
    this.plot.setData(this.data);
  }

  get points() { return this.data[0].length; }

  destroy() {
    window.removeEventListener('resize', this.resize);
    this.plot.destroy();
  }
}
