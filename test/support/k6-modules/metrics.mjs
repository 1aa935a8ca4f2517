// Stand-in for `k6/metrics`: custom metrics record every added value with its tags.
import { recorder } from './recorder.mjs';

class Metric {
  constructor(name, isTime, type) {
    this.name = name;
    this.isTime = Boolean(isTime);
    this.type = type;
  }
  add(value, tags) {
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
    recorder.samples.push({ metric: this.name, type: this.type, value: v, tags: { ...(tags ?? {}) } });
  }
}

export class Trend extends Metric {
  constructor(name, isTime) {
    super(name, isTime, 'trend');
  }
}
export class Rate extends Metric {
  constructor(name) {
    super(name, false, 'rate');
  }
}
export class Counter extends Metric {
  constructor(name) {
    super(name, false, 'counter');
  }
}
export class Gauge extends Metric {
  constructor(name) {
    super(name, false, 'gauge');
  }
}

export default { Trend, Rate, Counter, Gauge };
