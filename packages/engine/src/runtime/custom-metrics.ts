import type { MetricType } from '@stampede/protocol';
import type { MetricRegistry } from '../metrics/registry.ts';
import { sampleTags } from './sample-tags.ts';

/** Creates the custom metric classes of 'stampede/metrics' bound to a registry (k6's Counter, Gauge, Rate, Trend). */
export function createMetricClasses(registry: MetricRegistry) {
  class CustomMetric {
    readonly name: string;
    constructor(name: string, type: MetricType, options: { isTime?: boolean; isData?: boolean }) {
      registry.define(name, type, options);
      this.name = name;
    }
    /** Records one sample with the current scenario/group tags plus `tags`. */
    add(value: number | boolean, tags?: Record<string, string>): void {
      const v = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
      if (!Number.isFinite(v))
        throw new TypeError(`${this.name}.add: value must be a finite number`);
      registry.add(this.name, sampleTags(tags), v);
    }
  }
  /** A counter: values add up. */
  class Counter extends CustomMetric {
    constructor(name: string, isData = false) {
      super(name, 'counter', { isData });
    }
  }
  /** A gauge: keeps the last value. */
  class Gauge extends CustomMetric {
    constructor(name: string) {
      super(name, 'gauge', {});
    }
  }
  /** A rate: the share of non-zero (true) values. */
  class Rate extends CustomMetric {
    constructor(name: string) {
      super(name, 'rate', {});
    }
  }
  /** A trend: a distribution; `isTime` means values are ms. */
  class Trend extends CustomMetric {
    constructor(name: string, isTime = false) {
      super(name, 'trend', { isTime });
    }
  }
  return { Counter, Gauge, Rate, Trend };
}
